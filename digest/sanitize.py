"""Feed HTML turned into plain text, with nothing a stranger could hide in it.

Feed content is written by strangers: only its plain text is kept (scripts, styles and other
non-text elements dropped), and control characters must never reach a mail header or a
terminal.  Invisible characters (zero-width spaces and joiners, word joiner, BOM, bidi marks)
are dropped too: they hide text from filters and dedup, and the
line and paragraph separators U+2028/U+2029 break JavaScript and some mail clients; they
become ordinary line breaks.
"""

from __future__ import annotations

import html as htmllib
import re
import threading
import unicodedata
from typing import Any

# C0/C1 controls except tab/newline, bidi marks and overrides that can disguise text, and the
# invisible ones: zero-width space/non-joiner/joiner, word joiner, Arabic letter mark, BOM.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069"
    r"\ufeff\ufffd\ufffe\uffff]"
)
_SEPARATORS = str.maketrans({"\u2028": "\n", "\u2029": "\n\n"})
_SPACE = r"[ \t\u00a0\u3000\u2000-\u200a]"
# Runs of spaces, as one space.  A lone " " is left alone (no match): replacing each of the
# spaces between words with itself made this the slowest step of turning HTML into text.
_SPACES = re.compile(rf"{_SPACE}(?:(?<= ){_SPACE}+|(?<! ){_SPACE}*)")
_BLANKS = re.compile(r"\n\s*\n+")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z!/][^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")

_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "section", "article", "header", "footer", "table", "tr", "figure", "figcaption", "hr", "dd",
    "dt", "dl", "aside", "main", "nav",
)
_WHOLE_PAGE = re.compile(r"^\s*<(?:html|!doctype)", re.IGNORECASE)  # as lxml.html tells a page from a fragment
_html_parser: Any = None
_per_thread = threading.local()
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head", "title")


def clean_line(text: str) -> str:
    """One line of plain text: no markup entities left, no controls, spaces collapsed."""
    text = strip_controls(unicodedata.normalize("NFC", text))
    text = text.replace("\r", " ").replace("\n", " ")
    return _SPACES.sub(" ", text).strip()


def strip_controls(text: str) -> str:
    """Text without control and invisible characters; U+2028/U+2029 become line breaks."""
    text = _CONTROL.sub("", text)
    return text.translate(_SEPARATORS) if "\u2028" in text or "\u2029" in text else text


def clean_text(text: str) -> str:
    """Plain text from elsewhere (an article page's extracted text) cleaned like feed text."""
    return strip_controls(unicodedata.normalize("NFC", text))


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, "…" included: cut at a space in Latin text, between characters in CJK.

    A combining mark (or emoji modifier) is never separated from the character it belongs to.
    """
    if len(text) <= limit:
        return text
    cut = limit - 1
    if not (is_wide(text[cut - 1]) or is_wide(text[cut])):
        space = max(text.rfind(" ", 0, cut + 1), text.rfind("\n", 0, cut + 1))
        if space >= cut * 0.6:  # else one very long "word" (a URL, a run of letters): cut inside it
            cut = space
    while cut > 0 and _attached(text[cut]):
        cut -= 1
    return text[:cut].rstrip(" \n,;:-–—") + "…"


def is_wide(char: str) -> bool:
    """Chinese, Japanese, Korean and full-width characters, which may be cut between."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _attached(char: str) -> bool:
    """A character drawn on the one before it: combining marks, variation selectors, skin tones."""
    return unicodedata.category(char).startswith("M") or "\U0001f3fb" <= char <= "\U0001f3ff"


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def title_text(raw: str) -> str:
    """A title as plain text: feeds put markup and entities in titles more often than not."""
    raw = strip_controls(raw)
    if looks_like_html(raw):
        raw = html_to_text(raw)
    return clean_line(raw)


def html_to_text(fragment: str) -> str:
    """Readable plain text from HTML: paragraphs separated by blank lines, no markup.

    Every item's whole content goes through here, so it stays in libxml2's C code: a plain
    etree parser (lxml.html's element classes cost a Python call per element), then one XSLT
    pass over the <body> that drops scripts and styles and puts a blank line around each
    block element.
    """
    fragment = strip_controls(fragment)
    if not fragment.strip():
        return ""
    if not looks_like_html(fragment):
        return _tidy(fragment)
    from lxml import etree

    try:
        root = _parse_html(fragment)
    except (etree.ParserError, ValueError):
        return _tidy(re.sub(r"<[^>]+>", " ", fragment))
    if root is None:  # nothing but a comment or a doctype
        return ""
    try:
        text = str(_text_transform()(root))
    except etree.XSLTError:  # libxslt's nesting limit is far above the HTML parser's: a safety net
        etree.strip_elements(root, "head", *_DROP_TAGS, with_tail=False)
        text = "\n\n".join(root.itertext())
    return _tidy(text)


def _text_transform() -> Any:
    """The compiled XSLT of this thread (an XSLT object is not to be shared between threads)."""
    transform = getattr(_per_thread, "text_xslt", None)
    if transform is None:
        from lxml import etree

        stylesheet = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:template match="/"><xsl:apply-templates select="html/body"/></xsl:template>
  <xsl:template match="{'|'.join(_DROP_TAGS)}"/>
  <xsl:template match="body|{'|'.join(_BLOCK_TAGS)}">
    <xsl:text>&#10;&#10;</xsl:text><xsl:apply-templates/><xsl:text>&#10;&#10;</xsl:text>
  </xsl:template>
</xsl:stylesheet>"""
        transform = etree.XSLT(etree.XML(stylesheet), access_control=etree.XSLTAccessControl.DENY_ALL)
        _per_thread.text_xslt = transform
    return transform


def _parse_html(fragment: str) -> Any:
    """The <html> root of a fragment (or of a whole page), parsed the way browsers do.

    Only its <body> is text (a stray `</body><body>` in a fragment makes two of them).
    """
    global _html_parser
    from lxml import etree

    if _html_parser is None:
        _html_parser = etree.HTMLParser()
    wrapped = fragment if _WHOLE_PAGE.match(fragment) else f"<html><body>{fragment}</body></html>"
    return etree.fromstring(wrapped, _html_parser)


def _tidy(text: str) -> str:
    text = htmllib.unescape(text) if "&" in text else text
    text = strip_controls(unicodedata.normalize("NFC", text)).replace("\r\n", "\n").replace("\r", "\n")
    # paragraphs (split at blank lines) become single lines with spaces collapsed
    text = _SPACES.sub(" ", _BLANKS.sub("\x00", text).replace("\n", " "))  # no \x00 is left after _CONTROL
    return "\n\n".join(p for p in (p.strip() for p in text.split("\x00")) if p)
