"""Which sentences may be chosen: no boilerplate, no repeats, no echo of the title, headings last.

Also the bounds that keep a huge article cheap: only the first SCAN_CHARS characters are read,
and the rankers (several quadratic in sentences, all in Python) see at most a fixed number of
sentences, the article's opening plus the rest's most typical sentences, so a 2,000-sentence
article costs about as much as a 100-sentence one.  Everything before the cap uses
cheap tokens (tokenizer.rough_words); stemming and jieba run only on the sentences kept, and
only for the rankers that need words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from .boilerplate import is_boilerplate, trailer_start
from .sentences import Sentence, split_sentences
from .stopwords import stop_words
from .tokenizer import rough_words

_NOT_WORD = re.compile(r"[\W_]+")
SCAN_CHARS = 40_000  # only the article's first ~6,000 words are read: a blurb never comes from further down
_MIN_WORDS = 2  # fewer content words ("It was late.", "She was 91.") only when nothing else is left


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
    title_words = {w for w in rough_words(title) if w not in stop}
    any_terminated = any(s.terminated for s in sentences)
    seen: set[str] = set()
    strong: list[tuple[Sentence, list[str]]] = []
    weak: list[tuple[Sentence, list[str]]] = []
    for index, sentence in enumerate(sentences):
        if trailer is not None and index >= trailer:
            break
        key = _key(sentence.text)
        if not key or key in seen or is_boilerplate(sentence.text):
            continue
        seen.add(key)
        content = [w for w in rough_words(sentence.text) if w not in stop]
        if _repeats_title(key, content, title_key, title_words):
            continue
        is_weak = (any_terminated and not sentence.terminated) or len(set(content)) < _MIN_WORDS
        (weak if is_weak else strong).append((sentence, content))
    return [sentence for sentence, _ in _cap(strong or weak, limit)]


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


def _repeats_title(key: str, content: Sequence[str], title_key: str, title_words: set[str]) -> bool:
    """A sentence that only says the headline again ("Apple releases iOS 18" under that title)."""
    if not title_key:
        return False
    if key == title_key or (key in title_key and len(key) >= 0.5 * len(title_key)):
        return True
    distinct = set(content)
    if not distinct or len(key) > 1.3 * len(title_key):
        return False
    return len(distinct & title_words) >= 0.8 * len(distinct)
