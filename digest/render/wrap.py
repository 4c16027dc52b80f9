"""Line wrapping for the plaintext digest: display columns, where a CJK character takes two.

textwrap counts code points and only breaks at spaces, which overflows a terminal on Chinese text;
this wraps between CJK characters, keeps Chinese punctuation off line starts, and never breaks a URL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ..sanitize import is_wide

WIDTH = 72

# Closing punctuation may not start a line, opening punctuation may not end one (simple kinsoku).
_NO_START = set("，。、；：！？）」』》〉】〕”’…—·,.;:!?)]}%")
_NO_END = set("（「『《〈【〔“‘([{")
_URL = re.compile(r"^(?:https?://|www\.)\S+$")


def char_width(char: str) -> int:
    """Columns a character takes in a terminal: 2 for East Asian Wide/Fullwidth, 0 for combining marks."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if is_wide(char) else 1


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def _tokens(paragraph: str) -> Iterator[tuple[str, bool]]:
    """(token, space_before): Latin words and URLs whole, CJK characters one by one."""
    for chunk_index, chunk in enumerate(paragraph.split()):
        space = chunk_index > 0
        if _URL.match(chunk) or not any(is_wide(c) for c in chunk):
            yield chunk, space
            continue
        word = ""
        for char in chunk:
            if is_wide(char):
                if word:
                    yield word, space
                    space = False
                    word = ""
                yield char, space
                space = False
            else:
                word += char
        if word:
            yield word, space


def _glue(tokens: Iterator[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Join tokens that must not be separated by a line break (punctuation rules)."""
    glued: list[tuple[str, bool]] = []
    for token, space in tokens:
        if glued and not space and (token[0] in _NO_START or glued[-1][0][-1] in _NO_END):
            previous, previous_space = glued[-1]
            glued[-1] = (previous + token, previous_space)
        else:
            glued.append((token, space))
    return glued


def _split_long(tokens: list[tuple[str, bool]], room: int) -> Iterator[tuple[str, bool]]:
    """Cut words wider than a whole line into line-sized pieces; URLs stay whole so they stay clickable."""
    for token, space in tokens:
        if text_width(token) <= room or _URL.match(token) or room <= 0:
            yield token, space
            continue
        piece, piece_width = "", 0
        for char in token:
            w = char_width(char)
            if piece and piece_width + w > room:
                yield piece, space
                space, piece, piece_width = False, "", 0
            piece += char
            piece_width += w
        if piece:
            yield piece, space


def wrap_paragraph(paragraph: str, width: int = WIDTH, indent: str = "", subsequent: str | None = None) -> list[str]:
    """Wrap one paragraph to `width` display columns; a token longer than a line gets a line of its own."""
    rest = indent if subsequent is None else subsequent
    lines: list[str] = []
    line, line_width, prefix = "", 0, indent
    for token, space in _split_long(_glue(_tokens(paragraph)), width - text_width(rest)):
        token_width = text_width(token)
        gap = 1 if space and line else 0
        if line and text_width(prefix) + line_width + gap + token_width > width:
            lines.append(prefix + line)
            line, line_width, prefix, gap = "", 0, rest, 0
        line += " " * gap + token
        line_width += gap + token_width
    if line or not lines:
        lines.append(prefix + line)
    return lines


def wrap(text: str, width: int = WIDTH, indent: str = "", subsequent: str | None = None) -> str:
    """Wrap text whose paragraphs are separated by blank lines; line breaks inside a paragraph are spaces."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if not paragraphs:
        return ""
    out: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        first = indent if number == 0 else (indent if subsequent is None else subsequent)
        out.extend(wrap_paragraph(paragraph, width, first, subsequent))
        if number < len(paragraphs) - 1:
            out.append("")
    return "\n".join(out)
