"""What "the same words" means, defined once: the terms of a title or a text and their stored hashes.

English titles give lower-cased words without stopwords, lightly stemmed, with acronyms joined
("U.N." and "UN" are one term); Chinese gives overlapping character pairs inside each run of Han
characters (no segmenter: two copies of one sentence always give the same pairs, and a name
like 罢工 survives whatever surrounds it; only which event words are words of a title is asked of
jieba's dictionary, at match time, `event_words`); numbers are terms of their own, marked as numbers
(see `NUMBER_BIT`), so the number rule can find them.  These hashes are stored in the state file
and compared with tomorrow's, so this module is the only place that makes them.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from functools import lru_cache

# Han (with extension A and compatibility ideographs), kana and hangul
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(f"\\d+(?:[.,]\\d+)*|[{_CJK}]+|[^\\W_{_CJK}]+")
_ASCII_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z0-9]+", re.ASCII)  # _TOKEN on ASCII text, three times faster
_ACRONYM = re.compile(r"\b[A-Za-z]\.(?:[A-Za-z]\.)+", re.ASCII)

# Words that carry no story on their own.
STOPWORDS = frozenset(
    """a an the and or but nor of to in on at by for from with without into onto over under about
    after before as is are was were be been being am it its this that these those he she they we you
    i his her their our your my me him them us will would can could should may might must shall do
    does did has have had not no yes so if than then there here what which who whom whose when where
    why how all any some more most other such only own same too very just also now up down out off
    again says said say via vs amid per st nd rd th""".split()  # noqa: SIM905 - a word list reads best as words
)
_HAN = re.compile("[\u3400-\u9fff]")  # a Chinese character: what makes a title Chinese to `written` and `joins`
# Function characters: a pair made of two of them names nothing.
STOPCHARS_ZH = frozenset("的了是在和与及等将把被对为也都就而或之其这那个们吗呢吧啊着过于从向")

# The shipped prior: words that newsletters and portals put on many titles (dates, column names,
# "update", 早报) tell little about which story a title is; they count a quarter of a rare word.
GENERIC = frozenset(
    """new news update updates live video watch report reports daily weekly monthly today tonight
    yesterday tomorrow week year day roundup digest briefing edition issue episode part review
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday morning evening first latest breaking
    早报 晚报 日报 周报 月报 快讯 简报 新闻 资讯 今日 今天 昨日 本周 一周 每日 早安 头条 热点 最新 视频
    直播 专题 更新 发布 消息 报道 外媒 媒体""".split()  # noqa: SIM905
)
GENERIC_WEIGHT = 0.25

# Chinese event words that outlets use for one another's: the same event under another word ("因故去世" /
# "坠楼身亡", "系统宕机" / "突发故障").  General news vocabulary, each line one event with no other sense in a
# headline; words that also name a later stage of a story (卸任: out of office, days after 辞职) are left out.
# A word counts only where it is a word of the title (`event_words`): 超过世界 holds 过世 by accident.
_DIED = "去世 逝世 离世 身亡 遇难 病逝 辞世 过世 丧生 殒命 坠亡 罹难"
EVENT_WORDS_ZH = (
    _DIED,  # died
    "崩溃 宕机 故障 瘫痪",  # (a service) went down; not 罢工, which is also a labour strike
    "被捕 落网 逮捕 被抓 抓获 刑拘 被拘",  # arrested (被抓获 is 被 | 抓获 in jieba's cut)
    "收购 并购",  # acquired
    "访问 视察 考察 到访 出访 突访 造访",  # visited: a trip abroad or an inspection at home, so a merge also needs the place (match.beyond_name)
)

# Near-synonyms that share a character, which character pairs cannot see (公章 / 印章: no pair in common): the same
# thing under another word, compared like an event word and its synonym, where it is a word of the title.  Not events:
# they neither cut a shared run nor stand for "the event word" (match.beyond_name).  A short list, each line checked
# to have no other sense in a headline; a general "shares a character" rule would merge unrelated titles.
SYNONYMS_ZH = (
    "暗示 暗指",  # hinted
    "暂停 叫停 中止 暂缓",  # suspended (talks, a treaty, a service)
)

# Families of events (after ACE 2005's event types: life, movement, transaction, business, conflict, contact,
# personnel, justice, and disasters and accidents by cause), used only to tell two events apart
# (match.events_differ), not as synonyms: the same word twice is an ordinary shared term.  One line is what outlets
# write of one event in different words, so two lines are two events: an election is reported as taking office, a
# resignation as stepping down, an explosion as the fire it started.  An appointment is not a resignation, a
# sentence not a release, a landslide not a car crash, an acquisition not a layoff.
OUTCOME_ZH = f"{_DIED} 受伤 负伤"  # died or injured: what any cause of harm below is reported by
CAUSES_ZH = (
    "袭击 遇袭 枪击 空袭 炮击",  # attacked
    "车祸 相撞 撞车 追尾 侧翻 翻车",  # a road (or rail) crash
    "火灾 起火 失火 着火 火情 爆炸 爆燃 闪爆",  # a fire or an explosion: one is reported as the other
    "地震 强震",  # an earthquake
    "洪水 暴雨 洪灾 洪涝 内涝 山洪",  # a flood or a rainstorm
    "滑坡 塌方 泥石",  # a landslide (泥石: 泥石流's first pair, inside one word)
    "坍塌 倒塌 垮塌 塌陷",  # a building or bridge collapsed
    "坠机 坠毁 失事",  # a plane crashed
)
# Cause words that outlets use for one another, word by word (not whole lines: a shooting is no explosion, a bus
# rolling over no plane crash): a bombing or shelling is an attack ("自杀式爆炸" / "自杀式袭击", "遭炮击" / "发生爆炸"),
# an attack or a collision is told by the fire it started ("音乐厅发生枪击" / "音乐厅起火", "两机相撞" / "飞机起火"), a
# collision of planes is a plane crash ("军机空中相撞" / "军机空中坠毁"), and a landslide or cave-in a collapse
# ("山体滑坡" / "山体垮塌", 塌方 / 坍塌).  Each line: a word of one side is told as any word of the other.
RELATED_CAUSES_ZH = (
    ("爆炸 爆燃 闪爆", "袭击 遇袭 空袭 炮击"),
    ("袭击 遇袭 空袭 炮击 枪击", "起火 火灾 着火"),
    ("相撞", "坠毁 坠机 失事 起火 着火"),
    ("滑坡 塌方", "坍塌 垮塌 倒塌"),
)
EVENT_KINDS_ZH = (
    OUTCOME_ZH,
    *CAUSES_ZH,
    *EVENT_WORDS_ZH[1:],
    "示威 游行",  # demonstrated; not 抗议, also a government's protest
    "结婚 完婚 大婚 领证",  # married
    "离婚",  # divorced
    "辞职 请辞 辞去 下台 卸任 离任",  # resigned, stepped down
    "任命 出任 就任 上任 履新 当选 胜选",  # appointed, elected, took office
    "起诉 被诉 诉讼 状告 控告",  # charged or sued
    "判处 获刑 被判 宣判 判刑",  # sentenced
    "获释 出狱",  # released
    "会晤 会见 会谈",  # met
    "破产 倒闭",  # went bankrupt, closed down
    "裁员",  # laid off staff
    "上市",  # went public (or a product went on sale)
    "融资",  # raised money
)

NUMBER_BIT = 1 << 31  # set in the hash of a number term, clear in every other
# Numbers written as words are numbers: "Six dead" is "6 dead", "Part Two" is a part 2, "（三）" a third.
NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}  # noqa: SIM905
HAN_NUMERALS = {c: str(n) for n, c in enumerate("〇一二三四五六七八九十")}


# Han numerals before a unit or measure word, as outlets also write them in digits ("三人" / "3人", "十万" / "10万",
# "六月" / "6月"): `written` rewrites them so, at compare time only.  A run starts with a digit or 十 (not 千: 千万
# is also "by all means"), follows no numeral or 第 (an ordinal), and a run of bare digits is a year only with 〇
# or 零 (二〇二〇年; 唯一一家 and 五一 are no numbers).  A lone 一 is mostly the article ("一个bug", "一名男子"), and
# stays as it is.  A number with 万 or 亿 inside ("三万五千人", "一亿两千万") is left as it is: outlets write it as
# 35000 or 3.5万, and a numeral rewritten in part (3万5000) would be another number; one without numbers is no
# other number to the numbers rule.
_HAN_DIGITS = {**{c: n for n, c in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2}
_HAN_POWERS = {"十": 10, "百": 100, "千": 1000}
_UNITS = "人名位个万亿元岁年月日天次家只条辆架艘座倍号"
_HAN_NUMBER = re.compile("(?<![第数几〇零一二三四五六七八九十百千万亿两])[一二三四五六七八九十两][〇零一二三四五六七八九十百千两]*"
                         f"(?=[{_UNITS}])(?![万亿][〇零一二三四五六七八九十百千两])")


def _han_value(run: str) -> str | None:
    """The digits of a run of Han numerals (`_HAN_NUMBER`), or None when it is no number to rewrite.

    With a power (十, 百, 千) it is a count: 一百三十八 is 138, 十 is 10; 三四十 (thirty or forty) and 数十 / 几十 ("tens
    of", kept out by `_HAN_NUMBER`) are no count.  Without one it is a single digit (三: 3, but
    not 一, the article) or a year read digit by digit, which has a zero in it (二〇二〇: 2020; 五一 is a holiday)."""
    if any(c in _HAN_POWERS for c in run):
        if any(x in _HAN_DIGITS and y in _HAN_DIGITS for x, y in itertools.pairwise(run)):
            return None  # two digits side by side before a power are a guess, not a count: 三四十人, 二三十年
        total = digit = 0
        for c in run:
            if c in _HAN_POWERS:
                total += (digit or 1) * _HAN_POWERS[c]
                digit = 0
            else:
                digit = _HAN_DIGITS[c]
        return str(total + digit)
    if len(run) == 1:
        return None if run == "一" else str(_HAN_DIGITS[run])
    if "〇" in run or "零" in run:
        return "".join(str(_HAN_DIGITS[c]) for c in run)
    return None


# Two countries named by one character each, in either order, are one pair: 中印边境 / 印中边境, 美中关系 / 中美关系.
# Only where both characters stand alone in jieba's cut (中|印|边境) or begin the word 关系 (美中关系), so 加以, 节日中,
# 加德满都 and 朝日新闻 are left as they are.
COUNTRIES_ZH = "中美俄日韩朝印英法德欧澳加巴以伊越菲乌土泰"
_COUNTRY_PAIR = re.compile(f"(?<![{COUNTRIES_ZH}])[{COUNTRIES_ZH}]{{2}}(?![{COUNTRIES_ZH}])")


# Companies that Chinese titles name in either script ("苹果、谷歌应用商店" / "苹果与 Google"): the Latin name is read as
# the Chinese one.  A short list of names written both ways, each with no other sense in a Chinese title (not 苹果,
# also the fruit: "阿克苏苹果上市" is no Apple launch); not 脸书's
# Meta (a new company name, not a spelling), nor two Chinese spellings (网飞 / 奈飞: 网飞 is inside 互联网飞速).
ALIASES_ZH = (
    "谷歌 google",
    "微软 microsoft",
    "脸书 facebook",
    "亚马逊 amazon",
    "特斯拉 tesla",
    "英伟达 nvidia",
    "英特尔 intel",
    "三星 samsung",
    "高通 qualcomm",
    "推特 twitter",
    "索尼 sony",
)
_ALIAS = {latin: line.split()[0] for line in ALIASES_ZH for latin in line.split()[1:]}
_LATIN_NAME = re.compile(f"(?<![a-z])(?:{'|'.join(_ALIAS)})(?![a-z])", re.IGNORECASE)


def written(title: str) -> tuple[int, ...] | None:
    """The title's hashes as a Chinese title is compared, when that changes them: Han numerals before a unit as
    digits ("三人" as "3人"), two countries' characters in one order (印中 as 中印), a company's Latin name as its
    Chinese one (Google as 谷歌).  Compared, never stored (a stored title keeps its hashes; the comparison makes these
    anew from its text)."""
    if not _HAN.search(title):  # an English title ("Apple’s shares…" is not ASCII) is compared as it is
        return None
    text = written_text(title)
    return hashes(text) if text != title else None


def written_text(title: str) -> str:
    """A Chinese title's text as `written` compares it (三人 as 3人, 印中 as 中印, Google as 谷歌)."""
    text = _HAN_NUMBER.sub(lambda m: _han_value(m.group(0)) or m.group(0), title)
    text = _LATIN_NAME.sub(lambda m: f" {_ALIAS[m.group(0).lower()]} ", text)
    return _countries_in_order(text)


def numbers_of(title: str) -> list[str]:
    """The numbers of a title as the numbers rule compares them (Han numerals as digits): what `digest explain` shows."""
    text = normalize(written_text(title) if _HAN.search(title) else title)
    return [term for token in _TOKEN.findall(text) if not (len(token) > 1 and "\u3040" <= token[0] <= "\ufaff")
            for term in _token_terms(token) if is_number(term)]


def _countries_in_order(text: str) -> str:
    """Each pair of countries' characters (COUNTRIES_ZH) that are words of the title in COUNTRIES_ZH's order."""
    found = [m.start() for m in _COUNTRY_PAIR.finditer(text)
             if COUNTRIES_ZH.index(m.group(0)[0]) > COUNTRIES_ZH.index(m.group(0)[1])]
    if not found:
        return text
    _, size = word_spans(text)
    chars = list(text)
    for k in found:
        if size[k] == size[k + 1] == 1 or (text[k + 2 : k + 4] == "关系" and size[k] == 4):
            chars[k], chars[k + 1] = chars[k + 1], chars[k]
    return "".join(chars)


@lru_cache(maxsize=4096)
def word_spans(text: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """For each character of `text`, the start and the length of its word by jieba's dictionary cut (rjieba, as
    summaries use; without the HMM, which makes up words such as 抓后); imported only for a title that needs a cut.
    Kept for the last titles: `event_words_of` and `joins` ask it of the same title."""
    import rjieba

    word_of: list[int] = []
    size: list[int] = []
    for word in rjieba.cut(text, False):
        word_of += [len(word_of)] * len(word)
        size += [len(word)] * len(word)
    return tuple(word_of), tuple(size)


def normalize(text: str) -> str:
    """NFKC folds full-width letters, digits and punctuation (common in Chinese text) to ASCII."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def stem(word: str) -> str:
    """Folds the inflections headlines vary in ("releases"/"released", "outages"); consistency is all that matters."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ied", "y"), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def is_number(term: str) -> bool:
    return term[0].isdigit()


def _token_terms(token: str) -> tuple[str, ...]:
    """The terms of one raw token that is not a run of Han characters: a number or a word."""
    if token[0].isdigit():
        return (".".join(str(int(part)) for part in re.split(r"[.,]", token.replace(",", "")) if part),)
    if len(token) == 1 and "\u3040" <= token <= "\ufaff":  # a Han character standing alone: （一） is a part 1
        return (HAN_NUMERALS[token],) if token in HAN_NUMERALS else () if token in STOPCHARS_ZH else (token,)
    if token in NUMBER_WORDS:
        return (NUMBER_WORDS[token],)
    return (stem(token),) if token not in STOPWORDS and len(token) > 1 else ()


def term_hash(term: str) -> int:
    """A 32-bit hash stable across runs and machines (history compares it with yesterday's)."""
    value = zlib.crc32(term.encode("utf-8"))
    return value | NUMBER_BIT if is_number(term) else value & ~NUMBER_BIT


_TOKEN_HASHES: dict[str, tuple[int, ...]] = {}  # raw token, or a pair of Han characters -> its hashes
_MEMO_LIMIT = 1 << 20  # a memo, not a leak: beyond this many entries nothing more is kept


def _memo(key: str, made: tuple[int, ...]) -> tuple[int, ...]:
    if len(_TOKEN_HASHES) < _MEMO_LIMIT:
        _TOKEN_HASHES[key] = made
    return made


def hashes(text: str) -> tuple[int, ...]:
    """The term hashes of a text in order, each once but numbers as often as they occur ("6月6日" is
    not "6月5日"): what is compared, and what is stored."""
    if "." in text:
        text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    tokens = _ASCII_TOKEN.findall(text.lower()) if text.isascii() else _TOKEN.findall(normalize(text))
    memo = _TOKEN_HASHES
    made: list[int] = []
    for token in tokens:
        got = memo.get(token)
        if got is not None:
            made.extend(got)
        elif len(token) > 1 and "\u3040" <= token[0] <= "\ufaff":  # a Han run: its character pairs
            for k in range(len(token) - 1):
                pair = token[k : k + 2]
                got = memo.get(pair)
                if got is None:
                    got = _memo(pair, () if pair[0] in STOPCHARS_ZH and pair[1] in STOPCHARS_ZH
                                else (term_hash(pair),))
                made.extend(got)
        else:
            made.extend(_memo(token, tuple(term_hash(t) for t in _token_terms(token))))
    seen: set[int] = set()
    found: list[int] = []
    for h in made:
        if h & NUMBER_BIT or h not in seen:
            found.append(h)
            seen.add(h)
    return tuple(found)


def shingles(terms: tuple[int, ...], limit: int) -> tuple[int, ...]:
    """Hashes of the first `limit` pairs of consecutive terms: what a text is compared by (two unrelated
    texts share common words, but seldom the same two in a row).  Plain integer mixing, stable everywhere."""
    head = terms[: limit + 1]
    mask = 0xFFFF_FFFF & ~NUMBER_BIT
    return tuple(dict.fromkeys([((a * 0x9E3779B1 & 0xFFFF_FFFF) ^ b) * 0x85EBCA77 & mask
                                for a, b in itertools.pairwise(head)]))


@lru_cache(maxsize=1)
def event_classes() -> dict[int, int]:
    """Each event word's (and near-synonym's) hash -> its line's first word's: compared at match time, never stored."""
    return {term_hash(word): term_hash(line.split()[0]) for line in (*EVENT_WORDS_ZH, *SYNONYMS_ZH)
            for word in line.split()}


@lru_cache(maxsize=1)
def event_kinds() -> dict[int, int]:
    """Each word of EVENT_KINDS_ZH's hash -> its line's first word's (the family it is compared as)."""
    return {term_hash(word): term_hash(line.split()[0]) for line in EVENT_KINDS_ZH for word in line.split()}


@lru_cache(maxsize=1)
def cause_kinds() -> frozenset[int]:
    """The families that are a cause of harm (CAUSES_ZH), as event_kinds names them."""
    return frozenset(term_hash(line.split()[0]) for line in CAUSES_ZH)


@lru_cache(maxsize=1)
def related_causes() -> frozenset[frozenset[int]]:
    """RELATED_CAUSES_ZH as pairs of word hashes, either way round."""
    return frozenset(frozenset((term_hash(x), term_hash(y))) for one, other in RELATED_CAUSES_ZH
                     for x in one.split() for y in other.split())


OUTCOME = term_hash(OUTCOME_ZH.split()[0])  # the family of died and injured, as event_kinds names it


@lru_cache(maxsize=1)
def _event_word_set() -> frozenset[str]:
    return frozenset(word for line in (*EVENT_KINDS_ZH, *SYNONYMS_ZH) for word in line.split())


@lru_cache(maxsize=1)
def word_hashes() -> frozenset[int]:
    """The hashes of every word `event_words` may find: a title without one of them needs no cut."""
    return frozenset(term_hash(word) for word in _event_word_set())


def event_words(title: str) -> frozenset[int]:
    """The hashes of the event words (EVENT_KINDS_ZH) and near-synonyms (SYNONYMS_ZH) that are words of a title, not characters of two other words
    side by side.  By jieba's dictionary cut (rjieba, as summaries use; without the HMM, which makes up words such
    as 抓后): a pair counts when it is inside one word (枪击, 枪击案, 游行示威) or both its characters stand alone
    (被 | 抓, 坠 | 亡: words the dictionary lacks), and not when a character belongs to another word (旅游 | 行业
    names no 游行, 网上 | 任务 no 上任, 带你去 | 世界 no 去世).  Made from the title text at match time and never
    stored, so a stored title's pairs keep their meaning; rjieba is imported only for a title holding one."""
    return frozenset(term_hash(word) for word in event_words_of(title))


def event_words_of(title: str) -> list[str]:
    """`event_words` as text, in the title's order (what `digest explain` shows)."""
    text = normalize(title)
    wanted = _event_word_set()
    at = [k for k in range(len(text) - 1) if text[k : k + 2] in wanted]
    if not at:
        return []
    word_of, size = word_spans(text)
    found = [text[k : k + 2] for k in at if word_of[k] == word_of[k + 1] or size[k] == size[k + 1] == 1]
    return list(dict.fromkeys(found))


# A piece of one character pair that joins a function word to the next or last word is grammar, not a name, a place or
# an event: "上线就送…" / "开局就送…" share 就 | 送 ("gives away at once"), as two game ads do.  Not a pair inside one word
# (成都, 也门, 和平: jieba's cut), nor one with a country's character (与 | 美国: "with the US").
_FUNCTION = re.compile(f"[{''.join(sorted(STOPCHARS_ZH - set('于和向')))}]")  # 于和伟, 和平, 向华强: names begin so


def joins(title: str) -> frozenset[int]:
    """The hashes of the title's character pairs of a function character (STOPCHARS_ZH) that is a word of its own and
    the next or last character, another word's, neither a function character nor a country's (COUNTRIES_ZH): made
    from the text at compare time, never stored; rjieba cuts only a title holding such a pair."""
    if not _HAN.search(title):
        return frozenset()
    text = normalize(title)
    at = [(min(k, other), max(k, other)) for k in (m.start() for m in _FUNCTION.finditer(text)) for other in (k - 1, k + 1)
          if 0 <= other < len(text) and _HAN.match(text[other]) and text[other] not in STOPCHARS_ZH
          and text[other] not in COUNTRIES_ZH]
    if not at:
        return frozenset()
    word_of, _ = word_spans(text)
    return frozenset(term_hash(text[i : j + 1]) for i, j in at if word_of[i] != word_of[j])


@lru_cache(maxsize=1)
def event_class_heads() -> frozenset[int]:
    """The hash each class of event words or near-synonyms is compared as (its line's first word)."""
    return frozenset(event_classes().values())


@lru_cache(maxsize=1)
def generic_hashes() -> frozenset[int]:
    return frozenset(term_hash(stem(w)) if w.isascii() else term_hash(w) for w in GENERIC)
