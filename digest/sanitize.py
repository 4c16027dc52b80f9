"""Feed HTML made safe to show (nh3/ammonia allow-list) and turned into plain text.

Feed content is written by strangers: scripts, event handlers, javascript:/data: URLs and
styles must never reach a reader's mail client, and control characters must never reach
a mail header or a terminal.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata
from urllib.parse import urljoin

# C0/C1 controls except tab/newline, plus bidi overrides that can disguise text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufffd\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2000-\u200b]+")
_BLANKS = re.compile(r"\n\s*\n+")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z!/][^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
}
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "section", "article", "header", "footer", "table", "tr", "figure", "figcaption", "hr", "dd",
    "dt", "dl", "aside", "main", "nav",
})
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head", "title")


def clean_line(text: str) -> str:
    """One line of plain text: no markup entities left, no controls, spaces collapsed."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    text = text.replace("\r", " ").replace("\n", " ")
    return _SPACES.sub(" ", text).strip()


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def title_text(raw: str) -> str:
    """A title as plain text: feeds put markup and entities in titles more often than not."""
    raw = strip_controls(raw)
    if looks_like_html(raw):
        raw = html_to_text(raw)
    return clean_line(raw)


def sanitize_html(fragment: str, base_url: str = "") -> str:
    """Allow-listed HTML: no scripts, styles, handlers, javascript:/data: URLs; links absolute."""
    if not fragment.strip():
        return ""
    import nh3

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        try:
            url = urljoin(base_url, value.strip()) if base_url else value.strip()
        except ValueError:
            return None
        return url if url.startswith(("http://", "https://", "mailto:")) else None

    return str(nh3.clean(
        strip_controls(fragment),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        clean_content_tags=set(_DROP_TAGS) - {"head", "title"},
        attribute_filter=absolute,
    ))


def html_to_text(fragment: str) -> str:
    """Readable plain text from HTML: paragraphs separated by blank lines, no markup."""
    fragment = strip_controls(fragment)
    if not fragment.strip():
        return ""
    if not looks_like_html(fragment):
        return _tidy(fragment)
    from lxml import etree, html

    try:
        root = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(re.sub(r"<[^>]+>", " ", fragment))
    for bad in root.iter(*_DROP_TAGS):
        bad.drop_tree() if bad.getparent() is not None else None
    chunks: list[str] = []

    def walk(node: html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        block = tag.lower() in _BLOCK_TAGS
        if block:
            chunks.append("\n\n")
        if node.text and tag:
            chunks.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                chunks.append(child.tail)
        if block:
            chunks.append("\n\n")

    walk(root)
    return _tidy("".join(chunks))


def _tidy(text: str) -> str:
    text = htmllib.unescape(text) if "&" in text else text
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text)).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [_SPACES.sub(" ", " ".join(p.split("\n"))).strip() for p in _BLANKS.split(text)]
    return "\n\n".join(p for p in paragraphs if p)
