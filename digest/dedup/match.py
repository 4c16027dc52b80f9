"""When two items are one story: the rules, each with its number, used for the window and for history.

An item is compared by its `Features`: the term hashes of its title and of the start of its
text (terms.py).  Rules, in order (`compare` returns the first that decides):

1. **numbers** — titles that both name numbers, neither set containing the other, are different
   stories: "iOS 17.5" / "iOS 17.5.1", "Daily update for June 5" / "June 6", "6.8级地震" / "4.2级地震", and
   "致三人死亡" / "致5人死亡" (Han numerals before a unit are compared as digits: `Features.terms`).
2. **time** — two items published more than `STORY_HOURS` apart (a stored row: when it was sent) are
   one story only by the same text, from two sources: a story is reported within a day or two, and a
   headline alone cannot tell a re-list days later from the same template's next event (暴雨蓝色预警),
   nor one source's same title from its next post.
3. **series** — two titles of one source that share a beginning and an end (mostly terms on three or
   more of the source's titles: its template) and differ in a slot between ("竖向彩条揭开MG转场…" / "横向彩条揭开MG转场…", "Yii源码阅读笔记 - 组件集成" / "- 日志组件") are
   siblings of a series, not one story.
4. **text** — when both have text: the share of the shorter lead's pairs of consecutive terms found in the other
   (containment), so a feed's two-sentence summary matches the full article.  At or above
   `text_threshold` they are one story.  Two items of one source need similar titles as well
   (a source's items often share a boilerplate description and nothing else); two texts that share
   almost nothing (under TEXT_FLOOR), or two of one source under the threshold, are different posts
   whatever their titles ("Daily update" from two newsletters).
5. **title** — the weighted Dice overlap of the title terms: each term weighs its rarity in the
   run (inverse document frequency over the window and history), a source's template terms (on
   three or more of its titles) count less, and generic words (GENERIC in terms.py) a quarter.
   Rare names and events shared ("ChatGPT", "Perplexity", "罢工") make a story; shared common
   words do not.  At or above `title_threshold` (`title_threshold_zh` for two Chinese titles, whose
   character pairs a rewrite shares fewer of) they are one story.  An event word and its synonym
   (去世 / 身亡, EVENT_WORDS_ZH in terms.py) count as one term, where it is a word of the title (超过世界 holds
   过世 by accident: `terms.event_words`, by jieba's dictionary cut, made anew from a stored title), and so do
   印中 / 中印 and Google / 谷歌 in Chinese titles (`terms.written`).
6. **pieces** — two Chinese titles under `title_threshold_zh` but at 0.3 of it or more are one story
   when they share PIECES separate rare pieces (`pieces`): a rewrite keeps who, where and what
   (范蕴若 + 围棋 + 去世/身亡) and rewords the rest, while two stories about one person share the name.
   Two Chinese titles merged by rule 5 (under NAME_ENOUGH) or 6 must also share a rare piece besides their
   longest shared run and the event word (`beyond_name`): "美国加州洛杉矶…身亡" / "美国加州洛杉矶…遇难" are two stories in
   one city, "俄罗斯总统普京出访…" / "俄罗斯总统普京视察…" two trips of one man, and a piece of event words alone
   (任命, 离婚) is the event word: "特朗普宣布任命…" / "特朗普宣布任命…" are two appointments.  An event word of the
   title inside a shared run is a piece of its own between two ("莫迪|突访|中印边…": who, what, where; 游行 in
   旅游行业 is no word of it and cuts nothing), and a piece's rarity is over the run's
   titles, not discounted for the source's repeats unless the term is on most of its titles (a man in many
   stories of one page is no template, "…PPT动画模板素材下载" is).  A lone pair of a function word and another word
   (就 | 送: `terms.joins`) is grammar, no piece.
7. **events** — two Chinese titles that each name a family of events (EVENT_KINDS_ZH in terms.py, after ACE
   2005's event types) and share none stay apart: "马克龙任命…新总理" / "法国总理…辞职" are an appointment and
   a resignation (`events_differ`).  Under the threshold it stops rule 6; at or above it, only when the titles
   share nothing beyond the name (`beyond_name`): "歌手王力宏宣布离婚" / "…宣布结婚" are two stories, while a
   succession told twice ("张勇卸任CEO 吴泳铭接任" / "吴泳铭出任…CEO 接替张勇") shares a second piece and stays
   one.  A family holds what outlets say of one event (elected, took office; resigned, stepped down; a fire,
   an explosion); the dead and injured are any cause of harm's, but two causes (a landslide, a car crash)
   keep two titles apart at any overlap unless outlets tell one word as the other (a bombing as an attack:
   `causes_differ`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ..config import DedupSettings
from ..models import Item, language_of
from .keys import key_hash
from .result import Rule
from .terms import (
    GENERIC_WEIGHT,
    NUMBER_BIT,
    OUTCOME,
    cause_kinds,
    event_class_heads,
    event_classes,
    event_kinds,
    event_words,
    generic_hashes,
    hashes,
    joins,
    related_causes,
    shingles,
    word_hashes,
    written,
)

Terms = tuple[int, ...]

STORY_HOURS = 48.0
LEAD_CHARS = {"en": 360, "zh": 60}  # the start of the text that is compared (about 35 terms)
LEAD_TERMS = 32  # of which the first this many distinct pairs of terms are kept
MIN_LEAD = 12  # distinct lead terms below which a text is too short to compare as text
TEXT_FLOOR = 0.1  # two texts sharing less than this of their leads are not one story, whatever the titles
SAME_SOURCE_TITLE = 0.5  # title score two items of one source with the same text still need
TEMPLATE_MIN = 3  # a term on this many titles of one source is (part of) its template
MOST = 0.5  # ... and no piece (a rare name) when it is also on this share of the source's titles
PRIOR_TITLES = 20  # rarity as if the run had this many more titles without the term: a window of three says little
PIECES = 3  # separate shared rare runs (a name, a place, an event class; see `pieces`) that make two Chinese titles one story ...
PIECES_OVERLAP = 0.3  # ... when their title score reaches this share of title_threshold_zh (0.105)
NAME_ENOUGH = 0.6  # two Chinese titles this alike need no piece beyond their longest run (the same title, a cut)
PIECE_WEIGHT = 1.5  # a piece counts when one of its terms is this rare (on under a fifth of the titles)


@dataclass(frozen=True)
class Features:
    """What an item is compared by, and what history stores of it."""

    title: Terms
    lead: Terms  # pairs of consecutive terms of the text's start; empty when there is too little text
    source: int  # key_hash("source", name)
    published: datetime | None  # None: undated, or a stored row (whose time is its digest's)
    zh: bool = False  # a Chinese title (not stored: a window item's language decides)
    # terms.event_words of the title, made from its text (a stored row's when the title is at hand: every Chinese
    # comparison reads it; without it, none)
    event_terms: frozenset[int] = frozenset()
    # terms.written: the title's terms with Han numerals written as digits, two countries in one order and a company's
    # Latin name as its Chinese one, when they differ; made from its text like event_terms and never stored
    written: Terms | None = None
    joins: frozenset[int] = frozenset()  # terms.joins: pairs of a function character and a word (made from its text)

    @cached_property
    def terms(self) -> Terms:
        """The title terms as compared: `title`, or `written` when the title has Han numerals ("三人" as "3人")."""
        return self.title if self.written is None else self.written

    @cached_property
    def title_set(self) -> frozenset[int]:
        return frozenset(self.terms)

    @cached_property
    def events(self) -> Terms:
        """The title terms with each event word as its synonyms' first (去世, 身亡 -> 去世; terms.py)."""
        classes, words = event_classes(), self.event_terms
        return tuple(classes.get(t, t) if t in words else t for t in self.terms)

    @cached_property
    def lead_set(self) -> frozenset[int]:
        return frozenset(self.lead)

    @cached_property
    def numbers(self) -> tuple[int, ...]:
        return tuple(sorted(t for t in self.terms if t & NUMBER_BIT))


def features(item: Item) -> Features:
    lang = language_of(item.language)
    text = item.text
    if text.startswith(item.title):
        text = text[len(item.title):]  # many feeds begin the text with the title
    lead = shingles(hashes(text[: LEAD_CHARS[lang]]), LEAD_TERMS)
    title = hashes(item.title)
    words, as_written, pairs = from_title(item.title, title)
    return Features(title=title, lead=lead if len(lead) >= MIN_LEAD else (),
                    source=key_hash("source", item.source), published=item.published if item.dated else None,
                    zh=lang == "zh", event_terms=words, written=as_written, joins=pairs)


def from_title(title: str | None, terms: Terms) -> tuple[frozenset[int], Terms | None, frozenset[int]]:
    """What a title is compared by besides its terms, made anew from its text for a window item and a stored row
    alike, never stored: its event words, its terms as written and its function-word pairs (terms.event_words,
    terms.written, terms.joins).  `terms`, its hashes, tell whether it holds an event word at all (most do not);
    without its text (a stored row not read) it has none of the three."""
    if title is None:
        return frozenset(), None, frozenset()
    words = frozenset() if word_hashes().isdisjoint(terms) else event_words(title)
    return words, written(title), joins(title)


@dataclass(frozen=True)
class Verdict:
    """A rule's decision on a pair and the number it decided by."""

    rule: Rule  # "numbers", "time", "series", "text", "title", "pieces" or "events"
    score: float
    threshold: float
    same: bool


def numbers_agree(a: Terms, b: Terms) -> bool:
    """False when both titles carry numbers and neither title's numbers include the other's."""
    na = [t for t in a if t & NUMBER_BIT]
    nb = [t for t in b if t & NUMBER_BIT]
    if not na or not nb or sorted(na) == sorted(nb):
        return True
    ca, cb = Counter(na), Counter(nb)
    return ca <= cb or cb <= ca


def series(a: Terms, b: Terms) -> bool:
    """True when the shared terms are exactly a common beginning and end around a differing slot on both
    sides, or when one title is the other with a numbered part added ("… BBS 系统" / "… BBS 系统】7. 深入Nuxt.js")."""
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    if prefix + suffix == 0:
        return False
    if prefix + suffix >= min(len(a), len(b)):  # one title holds the other: a part of it, or it cut short
        longer = a if len(a) > len(b) else b
        return any(t & NUMBER_BIT for t in longer[prefix : len(longer) - suffix])
    middle_a, middle_b = set(a[prefix : len(a) - suffix]), set(b[prefix : len(b) - suffix])
    return not (middle_a & middle_b)


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


class Weights:
    """Term weights of one run: rarity over all titles seen, discounted for a source's template terms."""

    def __init__(self, titles: Iterable[Terms], sources: Iterable[int]) -> None:
        self.df: Counter[int] = Counter()
        self.by_source: Counter[tuple[int, int]] = Counter()
        self.source_titles: Counter[int] = Counter()
        self.n = 0
        for terms, source in zip(titles, sources, strict=True):
            self.add(terms, source)
        self.generic = generic_hashes()

    def add_stored(self, df: dict[int, int], rows: int) -> None:
        """Counts of the stored titles (history), so rarity is judged over the fortnight, not one day."""
        self.n += rows
        self.df.update(df)

    def add(self, terms: Terms, source: int) -> None:
        self.n += 1
        self.df.update(terms)
        self.by_source.update((source, t) for t in terms)
        self.source_titles[source] += 1

    def rarity(self, term: int) -> float:
        """How rare a term is in the run's titles (inverse document frequency), a quarter for a generic word."""
        w = math.log((self.n + PRIOR_TITLES + 1) / (self.df[term] + 0.5))
        return w * GENERIC_WEIGHT if term in self.generic else w

    def weight(self, term: int, source: int) -> float:
        """A term's rarity, discounted when it is on TEMPLATE_MIN or more titles of the source (its template)."""
        w = self.rarity(term)
        repeats = self.by_source[(source, term)]
        return w * 2.0 / repeats if repeats >= TEMPLATE_MIN else w

    def on_most(self, term: int, source: int) -> bool:
        """Whether a term is on TEMPLATE_MIN or more titles of the source and on at least MOST of them: its template
        ("…PPT动画模板素材下载", "恒生前海…公告"), not a name in the news on several of its titles."""
        repeats = self.by_source[(source, term)]
        return repeats >= TEMPLATE_MIN and repeats >= MOST * self.source_titles[source]

    def template(self, a: Features, b: Features) -> bool:
        """Whether what two titles of one source share is mostly its template (terms on several of its
        titles): "…MG转场PPT动画模板素材下载" is, "巴基斯坦发生火车与客车相撞事故 …" of a news page is not."""
        shared = a.title_set & b.title_set
        return 2 * sum(self.by_source[(a.source, t)] >= TEMPLATE_MIN for t in shared) >= len(shared) > 0

    def title_score(self, a: Features, b: Features) -> float:
        """Weighted Dice of the two titles' terms, an event word matching its synonym; 0 unless they share two
        terms that are neither numbers nor generic words ("Daily update for June 5" names no story, whoever
        sends it)."""
        ta = {t: self.weight(t, a.source) for t in a.terms}
        tb = {t: self.weight(t, b.source) for t in b.terms}
        wa = {e: ta[t] for t, e in zip(a.terms, a.events, strict=True)}
        wb = {e: tb[t] for t, e in zip(b.terms, b.events, strict=True)}
        shared = wa.keys() & wb.keys()
        if sum(1 for t in shared if not t & NUMBER_BIT and t not in self.generic) < 2:
            return 0.0
        # every word of each title counts in the denominator: two words of one class (宕机, 故障) are two words
        total = sum(ta.values()) + sum(tb.values())
        return 2 * sum(min(wa[t], wb[t]) for t in shared) / total if total else 0.0


def pieces(a: Features, b: Features, weights: Weights) -> list[Terms]:
    """The separate rare pieces two titles share, each as its terms: runs of terms in the same order in both
    (a name like 范蕴若 is one run of two character pairs; a long name like 国家统计局 is one run too, one
    piece), and an event word and its synonym (去世 / 身亡, terms.py), each event class once however many of
    its words a title has.  An event word of any kind (terms.EVENT_KINDS_ZH) inside a run is a piece of its own
    and ends the run: "莫迪突访中印边…" shared word for word is who, what and where; so is a near-synonym
    (terms.SYNONYMS_ZH) where the titles use two words of its line (暗示 / 暗指: not the same words in a run).  A run is a piece when one
    of its terms' rarity in the run is PIECE_WEIGHT or more and it is not on most titles of either source
    (`Weights.on_most`): a name on several titles of one page is a man in the news, not the page's template.
    Outlets' rewrites of one story keep who, where and what and change the rest; two stories about one person
    share the name alone."""
    classes, kinds = event_class_heads(), event_kinds()
    at_b: dict[int, int] = {}
    for k, t in enumerate(b.events):
        at_b.setdefault(t, k)
    runs: list[list[int]] = []
    counted: set[int] = set()  # event classes already in a run
    cuts: set[int] = set()  # positions of event words, and of near-synonyms matched by the other word of their line
    last = -2
    for i, t in enumerate(a.events):
        j = at_b.get(t)
        if j is None or t & NUMBER_BIT or t in weights.generic or t in counted:
            last = -2
            continue
        if t in classes:
            counted.add(t)
        # an event word of any kind cuts the run (枪击 | 身亡), a near-synonym where the titles use two words of its line
        if a.terms[i] in a.event_terms and (a.terms[i] in kinds or a.terms[i] != b.terms[j]):
            cuts.add(i)
        if j == last + 1:  # the term before was shared too, just before this one in b
            runs[-1].append(i)
        else:
            runs.append([i])
        last = j
    # a lone pair of a function character and a word (就送: terms.joins) in both titles is grammar, no piece, unless an
    # event word (被捕); in both, so the verdict does not hang on which title comes first (一派|对 / 派对)
    runs = [part for run in runs for part in _at_events(run, cuts)
            if len(part) > 1 or a.terms[part[0]] not in a.joins & b.joins or a.terms[part[0]] in a.event_terms]
    return [tuple(a.events[i] for i in run) for run in runs
            if max(0.0 if weights.on_most(a.terms[i], a.source) or weights.on_most(a.terms[i], b.source)
                   else weights.rarity(a.terms[i]) for i in run)
            >= PIECE_WEIGHT]


def _at_events(run: list[int], cuts: set[int]) -> list[list[int]]:
    """A run cut at the title's event words (`Features.event_terms`: words of it, not 游行 in 旅游行业; `cuts`: their
    positions), each a part of its own: "莫迪突访中印边" is who | did | where.  A side of one character pair is left
    out: it holds a character of the event word and no word of its own ("宣布任命新…": 命新)."""
    if len(run) == 1 or cuts.isdisjoint(run):
        return [run]
    parts: list[list[int]] = [[]]
    for i in run:
        if i in cuts:
            parts += [[i], []]
        else:
            parts[-1].append(i)
    return [p for p in parts if len(p) > 1 or (p and p[0] in cuts)]


def events_differ(a: Features, b: Features) -> bool:
    """Whether both titles name an event (terms.EVENT_KINDS_ZH) and no event of one is the other's: "马克龙任命…新总理"
    / "法国总理…辞职" share who and where, but one is an appointment and the other a resignation.  The dead and
    injured (terms.OUTCOME_ZH) are what any cause of harm is reported by, so they are that cause's ("以军空袭…" /
    "…已致数十人遇难"), but two causes are two events whatever their toll: "某县山体滑坡致3人遇难" / "某县车祸致3人死亡"."""
    ea, eb = _kinds(a), _kinds(b)
    if not (ea and eb):
        return False
    causes = cause_kinds()
    ca, cb = ea & causes, eb & causes
    if ca and cb:
        return not _causes_meet(a, b)
    return not (ea & eb or (OUTCOME in ea and cb) or (OUTCOME in eb and ca))


def causes_differ(a: Features, b: Features) -> bool:
    """Whether both titles name a cause of harm (terms.CAUSES_ZH) and none is the other's or told as the other's
    (terms.RELATED_CAUSES_ZH): a landslide and a car crash in one county are two stories, though their place and
    toll are shared, and so are an explosion and a shooting in one square ("纽约时代广场发生爆炸 致2人受伤" / "…发生
    枪击 致2人受伤", 0.84): titles that differ only in their cause word are the hard case, so it is asked at any
    overlap; a bombing and an attack, a collision and a plane crash are one."""
    causes = cause_kinds()
    return bool(_kinds(a) & causes and _kinds(b) & causes) and not _causes_meet(a, b)


def _causes_meet(a: Features, b: Features) -> bool:
    """Whether two titles' causes of harm share a family, or a word of one is told as a word of the other
    (terms.RELATED_CAUSES_ZH)."""
    kinds, causes = event_kinds(), cause_kinds()
    wa = {t for t in a.event_terms if kinds.get(t) in causes}
    wb = {t for t in b.event_terms if kinds.get(t) in causes}
    related = related_causes()
    return bool({kinds[t] for t in wa} & {kinds[t] for t in wb}) or any(
        frozenset((x, y)) in related for x in wa for y in wb)


def _kinds(f: Features) -> set[int]:
    kinds = event_kinds()
    return {kinds[t] for t in f.event_terms if t in kinds}


def beyond_name(shared: list[Terms], toll: bool) -> bool:
    """Whether two titles share a rare piece besides their longest shared run and the event word: a long name
    or place with one event word ("美国加州洛杉矶…身亡" / "…遇难") is two stories about one place, and one man or
    company with one event word ("特朗普宣布任命…" / "华为宣布任命…") two appointments.  A piece made of event words
    alone (any kind: terms.EVENT_KINDS_ZH, which holds every class of event synonyms) is the event word, unless
    the titles share event words of two kinds and a number (`toll`: a crash, its dead and how many, "东航客机坠毁
    132人遇难"); without the number a shooting and its dead is what any shooting in one city shares ("洛杉矶…遭枪击
    身亡" twice).  A near-synonym (terms.SYNONYMS_ZH: 暗示 / 暗指) is an ordinary piece."""
    if not shared:
        return False
    kinds = event_kinds()
    longest = max(range(len(shared)), key=lambda k: len(shared[k]))
    others = [p for k, p in enumerate(shared) if k != longest]
    if any(not all(t in kinds for t in p) for p in others):
        return True
    return toll and len({kinds[t] for p in others for t in p}) >= 2  # what happened, its dead and how many


def compare(a: Features, b: Features, weights: Weights, settings: DedupSettings,
            b_sent: datetime | None = None) -> Verdict:
    """The rule that decides whether `a` and `b` are one story (`b_sent`: when a stored `b` was sent, and
    then `a`'s language picks the title threshold)."""
    text_threshold = settings.text_threshold
    zh = a.zh and (b.zh or b_sent is not None)
    title_threshold = settings.title_threshold_zh if zh else settings.title_threshold
    if (a.numbers or b.numbers) and not numbers_agree(a.numbers, b.numbers):
        return Verdict("numbers", 0.0, 1.0, False)
    b_time = b.published or b_sent
    hours = abs((a.published - b_time).total_seconds()) / 3600 if a.published and b_time else 0.0
    same_source = a.source == b.source
    if hours > STORY_HOURS and same_source:
        return Verdict("time", hours, STORY_HOURS, False)
    if same_source and a.terms != b.terms and series(a.terms, b.terms) and weights.template(a, b):
        return Verdict("series", 0.0, 1.0, False)
    title = weights.title_score(a, b)
    if a.lead and b.lead:
        text = containment(a.lead_set, b.lead_set)
        if text >= text_threshold and (not same_source or title >= SAME_SOURCE_TITLE):
            return Verdict("text", text, text_threshold, True)
        if text < TEXT_FLOOR or (same_source and text < text_threshold):
            return Verdict("text", text, text_threshold, False)  # other texts: other posts under one title
    if hours > STORY_HOURS:  # days apart, a headline cannot tell a re-list from the template's next event
        return Verdict("time", hours, STORY_HOURS, False)
    floor = title_threshold * PIECES_OVERLAP
    if not zh or title < floor:
        return Verdict("title", title, title_threshold, title >= title_threshold)
    return _chinese_title(a, b, weights, title, title_threshold, floor)


def _chinese_title(a: Features, b: Features, weights: Weights, title: float, title_threshold: float,
                   floor: float) -> Verdict:
    """Rules 5-7 for two Chinese titles whose overlap reaches the pieces floor (`floor`)."""
    shared = pieces(a, b, weights)
    beyond = beyond_name(shared, toll=not set(a.numbers).isdisjoint(b.numbers))
    enough = title >= NAME_ENOUGH or beyond
    if title >= title_threshold:
        differ = causes_differ(a, b) or (not beyond and events_differ(a, b))
        if enough and differ:  # 离婚 / 结婚, 滑坡 / 车祸
            return Verdict("events", title, title_threshold, False)
        return Verdict("title", title, title_threshold, enough)
    if not (enough and len(shared) >= PIECES):
        return Verdict("title", title, title_threshold, False)
    if events_differ(a, b):  # shared who and where, but another event
        return Verdict("events", title, floor, False)
    return Verdict("pieces", title, floor, True)


def candidate_pairs(titles: Sequence[Terms], leads: Sequence[Terms], cap: int) -> npt.NDArray[np.int64]:
    """Pairs (i < j) worth comparing: two title terms, or MIN_SHARED_LEAD sampled lead pairs, in common, counting
    only terms that at most `cap` items carry (a title match needs two shared terms, a text match most of
    the lead, and common terms weigh nearly nothing)."""
    found = [_sharing(titles, cap, 2), _sharing([sampled(lead) for lead in leads], cap, MIN_SHARED_LEAD)]
    both = np.concatenate(found)
    return both[np.unique(both[:, 0] << 32 | both[:, 1], return_index=True)[1]] if len(both) else both


MIN_SHARED_LEAD = 3  # of the sampled lead pairs


def sampled(lead: Terms) -> Terms:
    """The lead pairs that candidate search indexes: the half with an even hash (a consistent sample, so two
    copies keep the same ones), which halves the index of a fortnight of history."""
    return tuple(h for h in lead if not h & 1)


def _sharing(terms: Sequence[Terms], cap: int, least: int) -> npt.NDArray[np.int64]:
    """(i, j) rows, i < j, of items sharing at least `least` terms of at most `cap` items."""
    counts = np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms))
    flat = np.fromiter((h for t in terms for h in t), dtype=np.int64, count=int(counts.sum()))
    owner = np.repeat(np.arange(len(terms), dtype=np.int64), counts)
    packed = np.sort((flat << 32) | owner)  # (term, item), grouped by term
    packed = packed[np.r_[True, packed[1:] != packed[:-1]]] if len(packed) else packed  # once each
    term, item = packed >> 32, packed & 0xFFFF_FFFF
    starts = np.flatnonzero(np.r_[True, term[1:] != term[:-1]])
    sizes = np.diff(np.r_[starts, len(term)])
    pairs = []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= cap)]).tolist():
        members = item[starts[sizes == size][:, None] + np.arange(size)]  # (groups, size), items ascending
        i, j = np.triu_indices(size, 1)
        pairs.append((members[:, i] << 32 | members[:, j]).ravel())
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    chosen = _at_least(np.concatenate(pairs), least)
    return np.stack([chosen >> 32, chosen & 0xFFFF_FFFF], axis=1)


def _at_least(values: npt.NDArray[np.int64], least: int) -> npt.NDArray[np.int64]:
    """The values that occur at least `least` times, once each (by sorting: numpy's hashing unique is slower)."""
    if len(values) == 0:
        return values
    ordered: npt.NDArray[np.int64] = np.sort(values)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[starts, len(ordered)])
    chosen: npt.NDArray[np.int64] = ordered[starts[counts >= least]]
    return chosen
