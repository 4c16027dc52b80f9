"""Page furniture that reaches feed text, listing teasers and extracted full text: a list to read.

Each entry has a name, the pattern and an example; tests/test_furniture.py checks every
entry against the text it was written for, from a real page or feed.  Three kinds:

- DROP: the whole sentence is furniture (a WordPress footer, a label with nothing after it, a CSS
  line from a code block, "YouTube Video Link: https://…", a photo credit after an article's text).
- CUT: a part of a sentence is furniture and the rest is news: a dateline or byline in front of
  the lede, a stock quote after a company name, the "[…]" a feed leaves after a cut teaser.  The
  cut sentence is still the article's own words, in order.
- LINE: a whole line (or paragraph) that is furniture only as a whole: a related-articles block
  whose headlines ran together when the page was flattened, a one-sentence photo caption ending in
  its credit.
  Split into sentences, each piece looks like prose, so it is recognised on the line, before
  splitting.

A leaf: the summarizer (digest/summarize/candidates.py, with its broader list of share prompts,
copyright and reprint notices in boilerplate.py) and the full-text extractor (digest/fulltext.py)
both apply it.  `is_truncated` marks a sentence the feed itself cut short.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CJK = "\u4e00-\u9fff"
_NAME = r"[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|de|van|von|da|al)){0,3}"
_CJK_NAME = r"[\u4e00-\u9fff·]{2,5}"


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: re.Pattern[str]
    example: str  # text from a real page or feed that the pattern is for


_CREDIT = r"(?:Photo(?:graph)?|Image|Picture|Illustration)s?(?:\s+credit)?\s*[:：]\s*[^.!?\n]{1,60}$"


def _p(name: str, pattern: str, example: str, flags: int = 0) -> Pattern:
    return Pattern(name, re.compile(pattern, flags), example)


# A Weibo card's time line ("今天 14:26 来自 微博视频号"): one definition, for the DROP entry and for the line
# above it (`is_furniture_line`).  The client is a name: no sentence's end, comma, ellipsis or 的 in it.
_CARD_TIME_LINE = (r"^(?:(?:今天|昨天|前天|\d{1,2}月\d{1,2}日|(?:\d{4}-)?\d{1,2}-\d{1,2})\s*)?\d{1,2}:\d{2}\s*"
                   r"来自\s*[^\s。！？!?，,；;：:的…][^\n。！？!?，,；;：:的…]{0,24}$")

DROP: tuple[Pattern, ...] = (
    _p("wordpress footer", r"\bappeared first on\b|(?:最先|最早|首先)(?:出现|出現|发表|發表)(?:在|于|於)",
       "這篇文章 2020 小米米粉節 11 款新品與優惠特價商品資訊整理 最早出現於 就是教不落 - 給你最豐富的 3C 資訊、教學網站。",
       re.IGNORECASE),
    # Only labels: "本期主持：时间点：", "商品说明：", "Rob Fahrni:" (a short line ending in a colon).
    _p("label only", r"^(?:[^。！？.!?：:\n]{1,20}[：:]\s*){1,3}$", "本期主持：时间点："),
    _p("css line", r"!important\s*;?\s*$|^[\w\s.#:>~+*,\[\]=\"'()-]{1,80}\{\s*[^{}]*\}?\s*$"
       r"|^(?:[a-z-]{3,30}\s*:\s*[^;:{}\s][^;:{}]{0,59};\s*)+$|^\}\s*$",  # one way to read the spaces: linear
       "filter: none !important;"),
    _p("video link", r"^(?:youtube\s+)?video\s+link\s*:\s*https?://", "YouTube Video Link: https://www.youtube.com/watch?v=EAWbYCuCzKU",
       re.IGNORECASE),
    # A byline on its own line: "By Jane Smith and Li Wei", "记者 唐霁", "责任编辑：龙慧".
    _p("byline alone", rf"^By\s+{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*\s*$"
       r"|^(?:作者|文|编辑|责编|责任编辑|审核|审校|校对|编审|监制|策划|统筹|美编|记者|实习生|通讯员|撰文|口述|整理)"
       rf"\s*[:：/|丨]?\s*{_CJK_NAME}(?:\s+\S{{1,12}}){{0,6}}$",
       "By Bernice Scott"),
    _p("dateline alone", rf"^[{_CJK}·]{{2,20}}\d{{1,2}}月\d{{1,2}}日(?:电|讯)\s*(?:[（(][^（）()]{{1,30}}[）)])?\s*$"
       r"|^[A-Z][A-Z .,'/-]{2,40}\s*[—–-]*\s*$",
       "新华社巴黎12月9日电（记者唐霁）"),
    _p("photo credit", r"^" + _CREDIT, "Photo: AP", re.IGNORECASE),
    # A site's prompt to get its app, after every item of its feed: the whole sentence (or paragraph)
    # is "where: search for the name;", once or for each platform.  Prose that mentions an app store
    # ("玩家在应用商店中搜索：“原神”即可下载，首日…", "市民可在应用商店搜索：“国家反诈中心”下载安装。") quotes
    # the name or goes on after it, so it stays.  No part runs across a "；", which keeps the match linear.
    _p("app download prompt", r"^(?:[^。！？，,；;\n]{0,12}(?:官方\s*App\s*[:：]|应用商店|应用市场|App\s*store)"
       r"[^。！？；;\n]{0,40}?搜索\s*[:：]\s*[^\s。！？，,；;:：“”\"「」]{1,15}\s*(?:[；;。]\s*|$))+$",
       "喷嚏网官方App :【安卓】在 豌豆荚 、360手机助手、小米应用商店，搜索：喷嚏阅读；", re.IGNORECASE),
    # A site's line pointing to itself, after every item of its feed: its address ("喷嚏网官方网站：
    # http://dapenti.com (海外访问：https://dapenti.com)") and its accounts elsewhere ("…喷嚏网官方新浪
    # 围脖", "Follow us on Twitter").  The whole sentence is the pointer: prose that names a site or an
    # account ("…在其官方微信公众号发布声明称，…。") goes on.
    _p("official site line", r"^[^。！？.!?:：\n]{0,16}(?:官方网站|官方网址|官网|网址|official\s+(?:web\s*)?site|website)"
       r"\s*[:：]\s*(?:https?://|www\.)\S+(?:\s*[(（][^()（）\n]{0,40}[)）])?\s*[。.;；]?\s*$",
       "喷嚏网官方网站：http://dapenti.com (海外访问：https://dapenti.com)", re.IGNORECASE),
    _p("follow us line", r"^[^。！？\n]{0,30}官方(?:新浪|腾讯)?(?:微博|围脖|微信公众号|公众号|微信)[\s:：@A-Za-z0-9_.-]{0,30}$"
       r"|^(?:欢迎|请|扫码|长按)?关注(?:我们|本站|本号)?的?(?:新浪|腾讯)?(?:微博|围脖|微信公众号|公众号|微信)"
       r"[\s:：@A-Za-z0-9_.“”\"-]{0,30}[。！!]?$"
       r"|^(?:Follow|Like|Find)\s+us\s+on\s+(?:Twitter|X|Facebook|Instagram|YouTube|Flipboard|Snapchat|Pinterest|"
       r"LinkedIn|Mastodon|Threads|Bluesky|TikTok|Weibo|WeChat)(?:\s*(?:,|&|\band\b|\bor\b)\s*\b[A-Za-z]+\b)*\s*[.!]?$",
       "每天网络精华尽在【喷嚏图卦】 喷嚏网官方新浪围脖", re.IGNORECASE),
    # The header of a reposted Weibo card, each part on its own line above the post: the poster's handle
    # ("@水山水山水山") and when and from where it was sent ("今天 14:26 来自 微博视频号", "来自澎湃新闻").  A
    # line, with no sentence's end, comma, ellipsis or 的 in it: prose that names a handle or a source goes
    # on ("@凤凰李睿 请到一位…", "来自北京的游客说，…。", "9:30 来自全国各地的代表入场", "来自星星的你").
    _p("weibo card header", r"^@[^\s@，,。！？!?：:、]{1,30}$"
       rf"|{_CARD_TIME_LINE}"
       r"|^来自\s*[^\s。！？!?，,；;：:的….][^\n。！？!?，,；;：:的….]{0,9}$",  # alone: a name, not a clause
       "今天 14:26 来自 微博视频号"),
    _p("image caption", r"^[^。！？]{2,60}(?:的)?(?:报道|新闻|网页|视频|页面)?截图。?$|^[^。！？]{0,30}(?:供图|摄)\s*$",
       "英国《泰晤士报》网站题为《蓬勃发展的武汉再次充满欢声笑语》的报道截图。"),
)

CUT_MARK = r"\[\s*(?:…|\.\.\.|&hellip;)\s*\]"  # a feed's cut mark: "[…]", "[...]"

CUT: tuple[Pattern, ...] = (
    # At the start of one of an article's first sentences only (see candidates.py).
    _p("dateline", rf"^(?:[{_CJK}·]{{2,20}}?\d{{1,2}}月\d{{1,2}}日(?:电|讯)|本报讯)\s*(?:[（(][^（）()]{{1,30}}[）)])?\s*",
       "新华社巴黎12月9日电（记者唐霁）法国总统马克龙9日宣布……"),
    _p("byline", r"^[（(](?:记者|通讯员|特约记者)[^（）()]{1,30}[）)]\s*", "（记者唐霁）法国总统马克龙9日宣布……"),
    _p("wire dateline", r"^(?:[A-Z][A-Z'.-]{2,}(?:[ ,/]+[A-Z][A-Za-z'.-]+){0,4}\s*(?:\([A-Za-z. ]{2,20}\))?|\((?:CNN|Reuters|AP|AFP)\))"
       r"\s*(?:--|[—–-])\s+(?=[A-Z“\"])",
       "LOS ANGELES (Reuters) - South Korean thriller “Parasite” was the upset winner at the Screen Actors Guild awards."),
    # Anywhere: a live quote after a listed company's name.
    _p("stock quote", r"\s*[（(]\s*-?\d+(?:\.\d+)?\s*[,，]\s*[-+]?\d+(?:\.\d+)?\s*[,，]\s*[-+]?\d+(?:\.\d+)?%\s*[）)]",
       "摩根大通(115.395, 2.79, 2.47%)周二公布的财报显示……"),
    # At the end: what a feed leaves where it cut the text; at the start when the splitter ended the
    # sentence before it ("…updated? […] The company said…" gives "[…] The company said…").
    _p("truncation marker", rf"^{CUT_MARK}\s*|\s*{CUT_MARK}\s*$",
       "This got me thinking — how much bandwidth does my phone use to keep my apps updated? […]"),
)

# Between two run-together headlines stands the first one's date or comment count, glued to both:
# "…扯上关系2015-09-22“2.5天小短假”…", "…规模将超“9·3” 评论 683CNN恶意造谣…".  Two such points, in a
# line with no "。" (headlines end in ？！… or nothing; Chinese prose glues dates too, "于2015-09-22发布，
# 称2016-01-01起执行。", but ends its sentences with 。), and English prose puts spaces around a date.
# A date that prose puts there is not glue: after 于/自/在/截至/从/至 ("新规定于2023-01-01起施行") or
# before 起/前/后.
_GLUE = (r"(?:(?<=[^\W\d_])(?<![于自在至从])|(?<=[？！?!…”》）)】]))(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
         r"(?=(?![起前后])[^\W\d_]|[“《【「(（])"
         r"|\s评论\s\d+(?=[^\W\d_\s]|[“《【「(（])")
LINE: tuple[Pattern, ...] = (
    _p("related headlines", rf"^(?![^\n]*。)[^\n]*?(?:{_GLUE})[^\n]*?(?:{_GLUE})",
       "他对政治没兴趣，却老跟政治扯上关系2015-09-22“2.5天小短假”靠谱吗？ 6成网友：难落实2015-08-11普京销毁违禁食物 "
       "咱网友聊起肯德基剩饭去哪儿…2015-08-08华为因数据丢失事件疑遭中国移动 “全国系统排查”2017-09-21"),
    # A caption is one line: one sentence (it reads like news) and its credit.  A line with more
    # sentences before the credit is an article's text (a feed's plain description): it stays, and
    # the credit alone goes as a sentence (DROP "photo credit").
    _p("photo caption", r"^(?:(?:(?![.!?][”\"’]?\s)[^\n]){1,300}[.!?][”\"’]?\s+)?" + _CREDIT,
       "Taiwanese President Tsai Ing-wen speaks during a televised policy debate in Taipei on December 29 in the "
       "run-up to the presidential election. Photo: AP", re.IGNORECASE),
)
_LEAD_ONLY = {"dateline", "byline", "wire dateline"}
_CARD_TIME = re.compile(_CARD_TIME_LINE)
_CARD_NAME = re.compile(r"^@?[^\s。！？!?，,；;：:]{1,30}$")  # a name: one word, no sentence in it
_TRUNCATED = re.compile(rf"(?:{CUT_MARK}|(?<![.…])(?:\.\.\.|…)|\s(?:\.\.\.|…))\s*$")


def is_furniture(sentence: str) -> bool:
    """True when the whole sentence (or line) is one of the DROP kinds."""
    text = sentence.strip().lstrip("-–—•*·|> ")
    return any(p.regex.search(text) for p in DROP)


def is_furniture_line(line: str, next_line: str = "") -> bool:
    """True when a whole line or paragraph is one of the LINE kinds, which show only as a whole,
    before the line is split into sentences (apply `is_furniture` to its sentences as well).

    `next_line`, the next non-empty line: a Weibo card's poster may be named without an "@" ("水山水山水山"),
    and is known only by the line under it, the card's time ("今天 14:26 来自 微博视频号")."""
    if next_line and _CARD_TIME.match(next_line.strip()) and _CARD_NAME.match(line.strip()):
        return True
    return any(p.regex.search(line) for p in LINE)


def cut(sentence: str, *, lead: bool) -> tuple[int, int]:
    """(start, end) of what is left of `sentence` once CUT furniture is taken off its ends.

    `lead`: the sentence is one of the article's first, where datelines and bylines stand.
    The inline stock quote is not removed here (see `without_quotes`), so the span stays exact.
    """
    start, end = 0, len(sentence)
    if lead:
        changed = True
        while changed:
            changed = False
            for pattern in CUT:
                if pattern.name in _LEAD_ONLY:
                    match = pattern.regex.match(sentence, start, end)
                    if match and match.end() > start and match.end() < end:
                        start, changed = match.end(), True
    for pattern in CUT:
        if pattern.name == "truncation marker":
            head = pattern.regex.match(sentence, start, end)
            if head and head.end() < end:
                start = head.end()
            tail = pattern.regex.search(sentence, start, end)
            if tail and tail.start() > start:
                end = tail.start()
    return start, end


def without_quotes(sentence: str) -> str:
    """The sentence without inline stock quotes: "摩根大通(115.395, 2.79, 2.47%)周二" -> "摩根大通周二"."""
    return next(p for p in CUT if p.name == "stock quote").regex.sub("", sentence)


def is_truncated(sentence: str) -> bool:
    """Ends the way a feed ends a teaser it cut: "[…]", "[...]", "senior ..." or a single "…"
    (Chinese "……" is punctuation, not a cut)."""
    return _TRUNCATED.search(sentence) is not None
