"""Which sentences may be chosen: no boilerplate, no repeats, no echo of the title, headings last.

Also the bounds that keep a huge article cheap: only the first SCAN_CHARS characters are read,
and the rankers (several quadratic in sentences, all in Python) see at most a fixed number of
sentences, the article's opening plus the rest's most typical sentences, so a 2,000-sentence
article costs about as much as a 100-sentence one.  Everything before the cap uses
cheap tokens (tokenizer.rough_words); stemming and word cutting run only on the sentences kept, and
only for the rankers that need words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ..furniture import CUT_MARK, cut, is_furniture_line, is_truncated, without_quotes
from .blurb import ELLIPSIS
from .boilerplate import is_boilerplate, trailer_start
from .sentences import CJK, Sentence, split_sentences
from .stopwords import stop_words
from .tokenizer import rough_words

_NOT_WORD = re.compile(r"[\W_]+")
_LINE = re.compile(r"[^\n]+")
_SPACE = re.compile(r"\s+")
SCAN_CHARS = 40_000  # only the article's first ~6,000 words are read: a blurb never comes from further down
_MIN_WORDS = 2  # fewer content words ("It was late.", "She was 91.") only when nothing else is left
_LEAD = 3  # datelines and bylines stand before one of the first sentences
_TITLE_PREFIX = 8  # characters of the headline a sentence must open with to have it cut off
# Where a page's <title> puts its site name: "Headline - BBC News", "标题_网易科技", "Headline | Site".
_SITE_SEPARATOR = re.compile(r"\s[-|–—]\s|_|｜")
# What an English sentence starts with: a capital, a number, or a word like "iPhone" (after any quote).
_SENTENCE_START = re.compile(r"[\"'“‘(\[]*(?:[A-Z0-9$£€]|[a-z]+[A-Z])")
# A headline is a clause (a name or a topic is not): at least this many words, or Chinese characters.
_HEADLINE_WORDS = 4
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:[.'’][A-Za-z0-9]+)*")
_CJK_CHAR = re.compile(f"[{CJK}]")
# What goes on with the words before it: a headline glued to the lede is followed by a new sentence.
# In front of the space: a comma or an opening bracket ("Jimmy Carter, President of…").
_OPEN_END = re.compile(r"[,，、(（\[【“‘\"']$")
# After it, in Chinese: a first word (jieba's cut) that is a particle, preposition, conjunction or measure
# word ("华为Mate 60 Pro 于8月29日…", "…发布 iPhone 15 系列，"); a new sentence opens with its subject, a time or
# a place (以色列…, 地震发生在…, 该公司…, 在发布会上…), so 在/该/其 are not on the list.
_ZH_GOES_ON = frozenset([*"的地得了着过于将已是和与及或等向对为把被从以由也都又就才并而所之",
                         "系列", *"款个位名家台部项次版代型号"])
_CLOSED = re.compile(r"[.!?。！？…][\"'”’」』)）]*$")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’」』)）]*$")  # "[…]" after a whole sentence elides what follows
_CUT_MARK = re.compile(rf"[\s,;:，、；：]*(?:{CUT_MARK}|\.{{3,}}|…+)\s*$")
_STAMP = re.compile(r"^\s*(?:最后更新|更新时间|发布时间|Updated|Published)?\s*[:：]?\s*"
                    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*", re.IGNORECASE)


def candidates(text: str, title: str, language: str, limit: int | None = None) -> list[Sentence]:
    """Sentences worth ranking, in article order, at most `limit` of them.

    Headings, captions and very short sentences are used only when there is nothing else
    (a headline-only item, a list).
    """
    sentences = _head_sentences(text, SCAN_CHARS)
    if not sentences:
        return []
    stop = stop_words(language) | stop_words("en")
    trailer = trailer_start([s.text for s in sentences], [s.terminated for s in sentences])
    title_key = _key(title)
    title_cut = title.rstrip().endswith(("…", "..."))
    title_words = {w for w in rough_words(title) if w not in stop}
    any_terminated = any(s.terminated for s in sentences)
    furniture = _on_furniture_lines(text, sentences)
    seen: set[str] = set()
    strong: list[tuple[Sentence, list[str]]] = []
    weak: list[tuple[Sentence, list[str]]] = []
    last = len(sentences) - 1
    for index, sentence in enumerate(sentences):
        if trailer is not None and index >= trailer:
            break
        if index in furniture or is_boilerplate(sentence.text):  # furniture included
            continue
        truncated = is_truncated(sentence.text) and (index == last or "[" in sentence.text[-8:])
        original = sentence
        sentence = _trimmed(sentence, title, language, lead=index < _LEAD, truncated=truncated)
        key = _key(sentence.text)
        if not key or key in seen or (sentence is not original and is_boilerplate(sentence.text)):
            continue
        seen.add(key)
        content = [w for w in rough_words(sentence.text) if w not in stop]
        if _repeats_title(key, content, title_key, title_words, cut=title_cut):
            continue
        truncated = truncated and sentence.text.endswith(ELLIPSIS)
        is_weak = truncated or (any_terminated and not sentence.terminated) or len(set(content)) < _MIN_WORDS
        (weak if is_weak else strong).append((sentence, content))
    return [sentence for sentence, _ in _cap(strong or weak, limit)]


def apart(text: str, pool: Sequence[Sentence]) -> set[int]:
    """Indices of the candidates the next candidate does not directly follow in `text`: between them
    lies something dropped (a code line, furniture, a repeat), so what the first introduces ("…the
    following lines:") is not among the candidates (blurb.choose)."""
    return {i for i in range(len(pool)) if i + 1 == len(pool) or text[pool[i].end:pool[i + 1].start].strip()}


def _trimmed(sentence: Sentence, title: str, language: str, *, lead: bool, truncated: bool) -> Sentence:
    """The sentence without the furniture at its ends (furniture.CUT), the headline it opens with
    (a title glued to the lede by the page), or an inline stock quote.  A sentence the feed cut
    short ends in one "…" after its last whole word, whatever marker the feed used."""
    text = sentence.text
    start, end = cut(text, lead=lead)
    if truncated:
        end = start + len(_CUT_MARK.sub("", text[start:end]))
        if end > start and not _SENTENCE_END.search(text[start:end]):
            return replace(sentence, text=without_quotes(text[start:end]) + ELLIPSIS,
                           start=sentence.start + start, end=sentence.start + end, terminated=False)
    if lead:
        start += _title_prefix(text[start:end], title, language)
        stamp = _STAMP.match(text, start, end) if start else None
        if stamp and stamp.end() < end and any(c.isdigit() for c in stamp.group()):
            start = stamp.end()
    if (start, end) == (0, len(text)) and "%" not in text:
        return sentence
    piece = without_quotes(text[start:end].strip())
    return replace(sentence, text=piece, start=sentence.start + start, end=sentence.start + end)


def _title_prefix(text: str, title: str, language: str) -> int:
    """Length of the headline the page glued in front of the lede ("Headline Lede…"), with the
    space after it, else 0.

    Only the whole headline counts (punctuation and case aside), or its part on either side of a
    site separator ("Headline - Site", "Opinion | Headline"): a lede often opens with the
    headline's first words ("Council tax rises in England will be capped…" under "Council tax
    rises to be capped"), and those words are the sentence's own.  A glued headline is followed by
    a new sentence; a lede that merely goes on from its opening words is one sentence, so nothing
    is cut when (`_goes_on`) the headline is a name or topic rather than a clause ("Jimmy Carter",
    "Windows 11": fewer than four Latin words and Chinese characters together), ends in a comma,
    or is followed by a lowercase word, or by a Chinese first word that is a particle, preposition or
    measure word ("华为Mate 60 Pro 于8月29日…", "苹果发布 iPhone 15 系列，起售价…"); a headline that ends
    as a sentence does ("？", "!") is always followed by a new one, and so is one followed by a
    Chinese subject, time or place ("四川甘孜州发生6.8级地震 地震发生在…", "苹果推出Vision Pro 苹果公司…").
    """
    if title.rstrip().endswith(("…", "...")):
        return 0  # the text's own opening, cut short by the feed: not a headline glued in front
    parts = [title]
    for match in _SITE_SEPARATOR.finditer(title):
        parts += [title[: match.start()], title[match.end():]]
    headlines = {key for key in map(_key, parts) if len(key) >= _TITLE_PREFIX}
    longest = max(map(len, headlines), default=0)
    best = 0
    for match in _SPACE.finditer(text):
        head = _key(text[: match.start()])
        if len(head) > longest:
            break
        rest = text[match.end():]
        if head in headlines and rest and not _goes_on(text[: match.start()], rest, language):
            best = match.end()
    return best


def _goes_on(before: str, rest: str, language: str) -> bool:
    """True when `rest` continues the phrase `before` (see _title_prefix), so no headline ends there."""
    if _CLOSED.search(before):
        return False  # the headline ends as a sentence does ("…是怎么搞的？ sitemap.xml…")
    words = len(_LATIN_WORD.findall(before)) + len(_CJK_CHAR.findall(before))
    if words < _HEADLINE_WORDS or _OPEN_END.search(before):
        return True
    if (language != "zh" or (rest[0].isascii() and rest[0].isalpha())) and not _SENTENCE_START.match(rest):
        return True  # English goes on in lower case; so does a Latin word inside Chinese
    if language == "zh" and _CJK_CHAR.match(rest):
        return _first_word(rest) in _ZH_GOES_ON
    return False


def _first_word(text: str) -> str:
    """The first word of a Chinese text by jieba's dictionary (rjieba, no HMM)."""
    import rjieba

    return next(iter(rjieba.cut(text[:12], False)), "")


def _on_furniture_lines(text: str, sentences: Sequence[Sentence]) -> set[int]:
    """Indices of the sentences that lie on a line of furniture recognised as a whole
    (furniture.LINE: related headlines run together; a Weibo card's poster, known by the line under it),
    in feed text, teasers and full text alike."""
    found = [m for m in _LINE.finditer(text) if m.group().strip()]
    lines = [(m.start(), m.end()) for m, after in zip(found, [*found[1:], None], strict=True)
             if is_furniture_line(m.group(), after.group() if after else "")]
    if not lines:
        return set()
    return {i for i, s in enumerate(sentences) if any(a <= s.start and s.end <= b for a, b in lines)}


def _head_sentences(text: str, limit: int) -> list[Sentence]:
    """The sentences of the first `limit` characters, cut at a line break (or dropping the
    sentence that the cut runs through), so a huge article costs no more than a long one."""
    if len(text) <= limit:
        return split_sentences(text)
    cut = text.rfind("\n", 0, limit)
    if cut >= limit // 2:
        return split_sentences(text[:cut])
    sentences = split_sentences(text[:limit])
    return sentences[:-1] if sentences and sentences[-1].end >= limit - 1 else sentences


def _cap(pool: list[tuple[Sentence, list[str]]], limit: int | None) -> list[tuple[Sentence, list[str]]]:
    """Keep the first half of the limit from the top of the article, the rest the sentences
    sharing most words with the whole article; article order is kept."""
    if limit is None or len(pool) <= limit:
        return pool
    head = limit // 2
    frequency: Counter[str] = Counter()
    for _, content in pool:
        frequency.update(set(content))
    weight = {w: math.log1p(f) for w, f in frequency.items()}

    def typicality(index: int) -> float:
        distinct = set(pool[index][1])
        if not distinct:
            return 0.0
        return sum(weight[w] for w in distinct) / math.sqrt(len(distinct))

    best = sorted(range(head, len(pool)), key=lambda i: (-typicality(i), i))[: limit - head]
    return [pool[i] for i in sorted([*range(head), *best])]


def _key(text: str) -> str:
    return _NOT_WORD.sub("", text.casefold())


def _repeats_title(key: str, content: Sequence[str], title_key: str, title_words: set[str], *, cut: bool) -> bool:
    """A sentence that only says the headline again ("Apple releases iOS 18" under that title).

    `cut`: the title ends in "…", the feed's cut of the text's own opening (a post without a
    title).  Then only a sentence that lies wholly inside it is shown already; the sentence the cut
    runs through goes on past it ("…thanks to some powerful…" under "…thanks to some powerful
    RTs."), so it is the text's, however many of its words the title holds.
    """
    if not title_key:
        return False
    if key == title_key or (key in title_key and len(key) >= 0.5 * len(title_key)):
        return True
    if cut and key not in title_key:
        return False
    distinct = set(content)
    if not distinct or len(key) > 1.3 * len(title_key):
        return False
    return len(distinct & title_words) >= 0.8 * len(distinct)
