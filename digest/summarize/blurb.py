"""Fitting ranked sentences into a blurb: a sentence count, a character budget, article order.

Sentences are taken best first while they fit, looking only `reach` ranks deep (so a budget never
fills up with trivia; whole sentences beat a cut one).  If none of those fits alone, the best is
cut at a clause boundary (or a word boundary, jieba's words for Chinese) and ends with "…".
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from .sentences import CJK, has_cjk
from .tokenizer import words

ELLIPSIS = "…"
_WHITESPACE = re.compile(r"\s+")
_CJK_EDGE = re.compile(f"[{CJK}\u3000-\u303f\uff00-\uffef“”‘’]")
# Cut after these (clause ends); the mark itself is dropped before the ellipsis.
_CLAUSE_END = re.compile(r"[，、；：,;:—–)）」』”]|[.!?。！？](?=\s|$)| - ")
_TRAILING = re.compile(r"[\s，、；：,;:—–\-(（「『“‘\"']+$")


def choose(ranked: Sequence[int], texts: Sequence[str], count: int, max_chars: int, reach: int,
           leaning: Collection[int] = (), introducing: Collection[int] = (), apart: Collection[int] = (),
           refill: bool = False) -> list[int]:
    """Indices to show, in article order: the best that fit, looking at most `reach` ranks deep.

    Sentences that cannot stand alone fill a blurb only beside what they need, unless they are the
    best (the ranking has weighed that): one in `leaning` ("It is…", "But…", "There is…") after
    an earlier sentence of the article, so it never opens a blurb; one in `introducing` ("…the
    following lines:") with the sentence it introduces, the next one in the article, which comes
    in with it as a pair if both fit (the pair's first sentence is the earlier one a leaning second
    needs: "Julian Sanchez, writing for Just Security:" then "But Apple is…").  An introducing
    sentence in `apart` has no such sentence among the candidates (what followed it, code or
    furniture, was dropped), so it never comes.  Until then such a sentence waits; with `refill`
    its rank does not use up `reach`, so the next sentence down can take its place.
    """
    if count <= 0 or not ranked:
        return []
    chosen: list[int] = []
    tried: set[int] = set()
    looking = True
    while looking and len(chosen) < count:
        looking = False
        depth = max(reach, count)
        for rank, index in enumerate(ranked):
            if rank >= depth:
                break
            if index in tried:
                continue
            group = [index]
            if index != ranked[0]:
                pair = index + 1
                if index in introducing and (index in apart or pair not in chosen):
                    group.append(pair)
                    if (index in apart or pair >= len(texts) or pair in tried or pair in introducing
                            or len(chosen) + 2 > count):
                        group = []
                if not group or (index in leaning and not any(i < index for i in chosen)):
                    depth += refill  # it waits: with refill the next rank may take its place
                    continue
            tried.add(index)
            if len(join([texts[i] for i in sorted([*chosen, *group])])) <= max_chars:
                chosen += group
                looking = True  # a sentence waiting for this one may now follow it
                break
    if not chosen:
        chosen = [ranked[0]]  # too long alone: the best sentence, trimmed by render()
    return sorted(chosen)


def render(sentences: Sequence[str], max_chars: int) -> str:
    """The blurb as displayed: sentences joined, whitespace collapsed, trimmed to max_chars."""
    return trim(join(sentences), max_chars)


def join(sentences: Sequence[str]) -> str:
    """Join with a space between Latin sentences and nothing next to Chinese text."""
    out = ""
    for sentence in sentences:
        piece = _WHITESPACE.sub(" ", sentence).strip()
        if not piece:
            continue
        if out and not (_CJK_EDGE.match(out[-1]) or _CJK_EDGE.match(piece[0])):
            out += " "
        out += piece
    return out


def trim(text: str, max_chars: int) -> str:
    """Cut to at most max_chars (ellipsis included) at a clause or word boundary, never mid-word."""
    if len(text) <= max_chars:
        return text
    if max_chars <= len(ELLIPSIS):
        return ""
    limit = max_chars - len(ELLIPSIS)
    window = text[: limit + 1]
    clause = max((m.end() for m in _CLAUSE_END.finditer(window) if m.end() <= limit), default=0)
    cut = clause if clause >= limit * 0.4 else _word_boundary(text, limit)
    head = _TRAILING.sub("", text[:cut])
    return head + ELLIPSIS if head else ""


def _word_boundary(text: str, limit: int) -> int:
    """The last position <= limit that does not split a word (jieba words for Chinese)."""
    if not has_cjk(text[:limit]):
        space = text.rfind(" ", 0, limit + 1)
        return max(space, 0)
    best = 0
    position = 0
    for word in words(text[: limit + 40]):
        found = text.find(word, position)
        if found < 0:
            continue
        if found <= limit:
            best = max(best, found)  # just before this word
        end = found + len(word)
        if end > limit:
            break
        best = position = end
    return best
