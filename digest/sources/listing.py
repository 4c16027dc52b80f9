"""HTML listing page -> Entries, by the source's CSS selectors or by detecting the repeated item block.

Pure: the caller fetched the bytes.  A selector value is CSS, optionally followed by ` @attr` to
read an attribute instead of the text (`time @datetime`); a value that is only `@attr` reads the
item element's own attribute.  A selector that matches nothing is a ParseError naming it, so a
broken selector is a visible per-source error rather than a silently empty digest.  Links resolve
against the page URL (and `<base href>`); each entry's guid is its canonical link, so a page that
lists yesterday's items again does not repeat them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

import lxml.html
from lxml import etree

from ..config import ListingSelect
from ..dates import parse_date
from ..encoding import decode_html
from ..errors import ParseError
from ..models import Entry
from ..urls import canonical_url
from .detect import (
    BRACKETED,
    CATEGORY_HINT,
    is_chrome_block,
    link_title,
    link_url,
    links_in,
    main_link,
    text_of,
    text_units,
)

FIELDS = ("title", "link", "summary", "date", "author", "category")
_ATTR = re.compile(r"(?:^|\s)@([A-Za-z_:][-\w:.]*)\s*$")
_DATE_HINT = re.compile(r"date|time|pub|publish|posted|meta|info|日期|时间", re.IGNORECASE)
_META_SPLIT = re.compile(r"\s*[|·•／/]\s+|\s+[|·•／/]\s*|\s{2,}")
_BLOCKS = ("p", "div", "span", "dd", "td", "section", "blockquote")
_TEASER_LINE_UNITS = 4  # a teaser line says something; "来源：新华网" does not
_TEASER_UNITS = 8  # all lines together: less is a caption, not a teaser
# what remains of a date once its digits, separators and date words are gone ("2024.3.5起施行" -> "起施行")
_DIGIT = re.compile(r"\d")
_NOT_DATE = re.compile(r"[\d\s\-/.:：,()（）\[\]|·年月日号时分秒]|星期.|周.|[ap]\.?m\.?", re.IGNORECASE)


@dataclass(frozen=True)
class ListingResult:
    entries: list[Entry]
    selector: str  # the item selector used, or the one detection chose
    detected: bool = False
    items_matched: int = 0  # elements the item selector picked (some may hold no link)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FieldSelector:
    """One `select.*` value split into its CSS part and the attribute to read (if any)."""

    key: str
    raw: str
    css: str | None  # None: the item element itself
    attr: str | None

    @classmethod
    def parse(cls, key: str, raw: str) -> FieldSelector:
        value = raw.strip()
        match = _ATTR.search(value)
        attr = match.group(1) if match else None
        css = value[: match.start()].strip() if match else value
        return cls(key, raw, css or None, attr)

    def first(self, item: Any) -> Any | None:
        if self.css is None:
            return item
        found = _css(item, self.css, f"select.{self.key}", self.raw)
        return found[0] if found else None

    def value(self, el: Any) -> str:
        if self.attr:
            return (el.get(self.attr) or "").strip()
        return text_of(el)


def parse_listing(
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    select: ListingSelect | None,
    *,
    tz: tzinfo,
    now: datetime,
) -> ListingResult:
    """Entries of a listing page; ParseError naming the selector when one matches nothing."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    root = parse_html(decode_html(body, content_type))
    base = page_base(root, url)
    if select is None:
        return _detected(root, base, tz=tz, now=now)
    return _selected(root, base, select, tz=tz, now=now)


def parse_html(text: str) -> Any:
    """An lxml tree without scripts, styles or comments; ParseError for a page with nothing in it."""
    # lxml refuses str input that still carries an XML encoding declaration
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
    if not text.strip():
        raise ParseError("the page is empty")
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not an HTML page we can read ({exc})") from None
    etree.strip_elements(root, "script", "style", "noscript", "template", etree.Comment, with_tail=False)
    return root


def page_base(root: Any, url: str) -> str:
    """What relative links resolve against: `<base href>` (itself relative to the page) or the page URL."""
    from urllib.parse import urljoin

    for base in root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            try:
                return str(urljoin(url, href))
            except ValueError:
                break
    return url


def _detected(root: Any, base: str, *, tz: tzinfo, now: datetime) -> ListingResult:
    from .detect import detect_items

    found = detect_items(root, base)
    if found is None:
        raise ParseError(
            "no list of article links found; set select: with item: the CSS selector of one article "
            "on the page (`digest check --source NAME` shows what digest reads there)"
        )
    entries = [e for item in found.items if (e := _auto_entry(item, base, tz=tz, now=now))]
    warnings = [] if found.exact else ["no CSS selector picks exactly the detected items; the one shown picks more"]
    return ListingResult(_unique(entries), found.selector, detected=True, items_matched=len(found.items), warnings=warnings)


def _selected(root: Any, base: str, select: ListingSelect, *, tz: tzinfo, now: datetime) -> ListingResult:
    items = _css(root, select.item, "select.item", select.item)
    if not items:
        raise ParseError(f"select.item {select.item!r} matched nothing on the page")
    fields = {key: FieldSelector.parse(key, value) for key in FIELDS if (value := getattr(select, key))}
    matched: dict[str, int] = dict.fromkeys(fields, 0)
    entries: list[Entry] = []
    for item in items:
        found = {key: f.first(item) for key, f in fields.items()}
        for key, el in found.items():
            if el is not None:
                matched[key] += 1
        entry = _entry(item, base, fields, found, tz=tz, now=now)
        if entry is not None:
            entries.append(entry)
    for key, count in matched.items():
        if count == 0:
            raise ParseError(
                f"select.{key} {fields[key].raw!r} matched nothing in any of the {len(items)} "
                f"items of select.item {select.item!r}"
            )
    if not entries:
        raise ParseError(
            f"select.item {select.item!r} matched {len(items)} elements but none holds a link; "
            "point select.link at the item's link"
        )
    warnings = []
    if len(entries) < len(items):
        warnings.append(f"{len(items) - len(entries)} of {len(items)} items have no link and were skipped")
    return ListingResult(_unique(entries), select.item, items_matched=len(items), warnings=warnings)


def _entry(
    item: Any, base: str, fields: dict[str, FieldSelector], found: dict[str, Any | None], *, tz: tzinfo, now: datetime
) -> Entry | None:
    title_el = found.get("title")
    title_sel = fields.get("title")
    anchor = main_link(item, base)
    if title_sel is not None:
        title = title_sel.value(title_el) if title_el is not None else ""
        near = _link_near(title_el, item, base) if title_el is not None and title_sel.attr is None else None
        if near is not None:
            anchor = near
    else:
        title = link_title(anchor) if anchor is not None else ""

    link_sel = fields.get("link")
    if link_sel is not None:
        link_el = found.get("link")
        href = _href_value(link_el, link_sel) if link_el is not None else None
        link = _absolute(href, base) if href else None
    else:
        link = link_url(anchor, base) if anchor is not None else None
    if not link:
        return None

    date_raw, published = _date(item, fields.get("date"), found.get("date"), tz=tz, now=now)
    category = _text_field(fields.get("category"), found.get("category")) if fields else _guess_category(item, anchor)
    summary = ""
    if "summary" in fields:
        el = found.get("summary")
        if el is not None:
            summary = _summary_html(el, fields["summary"])
    else:
        summary = _guess_summary(item, title, skip=(date_raw, category))
    return Entry(
        title=html.escape(title, quote=False),  # Entry titles are HTML; page text is plain
        link=link,
        guid=canonical_url(link) or link,
        summary=summary,
        author=_text_field(fields.get("author"), found.get("author")),
        published=published,
        published_raw=date_raw,
        category=category,
        base_url=base,
    )


def _auto_entry(item: Any, base: str, *, tz: tzinfo, now: datetime) -> Entry | None:
    return _entry(item, base, {}, {}, tz=tz, now=now)


def _link_near(el: Any, item: Any, base: str) -> Any | None:
    """The link of a title element: itself, one inside it, or one around it within the item."""
    for a in links_in(el):
        if link_url(a, base):
            return a
    anc = el.getparent()
    while anc is not None:
        if anc.tag == "a" and link_url(anc, base):
            return anc
        if anc is item:
            break
        anc = anc.getparent()
    return None


def _href_value(el: Any, sel: FieldSelector) -> str | None:
    if sel.attr:
        value = el.get(sel.attr)
        return str(value) if value is not None else None
    for a in links_in(el):
        if a.get("href"):
            return str(a.get("href"))
    anc = el.getparent()
    while anc is not None:
        if anc.tag == "a" and anc.get("href"):
            return str(anc.get("href"))
        anc = anc.getparent()
    text = text_of(el)
    return text if text.startswith(("http://", "https://", "/")) else None


def _absolute(href: str, base: str) -> str | None:
    from urllib.parse import urljoin, urlsplit

    value = href.strip()
    if not value or value.lower().startswith(("javascript:", "mailto:", "data:", "tel:")):
        return None
    try:
        url = urljoin(base, value)
        scheme = urlsplit(url).scheme
    except ValueError:
        return None
    return url if scheme in ("http", "https") or (scheme == "file" and base.startswith("file:")) else None


def _summary_html(el: Any, sel: FieldSelector) -> str:
    import html

    if sel.attr:
        return html.escape(sel.value(el))
    return str(lxml.html.tostring(el, encoding="unicode", with_tail=False))


def _guess_summary(item: Any, title: str, skip: tuple[str | None, ...] = ()) -> str:
    """The item's teaser: every block of text that is not its title, date or category, in order.

    A "相关推荐" item has two to six teaser lines; keeping only the longest loses most of them.
    Blocks nested in a chosen block are part of it, and short meta lines (a source name) are not teaser.
    """
    chosen: list[Any] = []
    total = 0.0
    for el in item.iter(*_BLOCKS):
        if (chosen and _inside_any(el, set(chosen), item)) or _has_block_child(el):
            continue
        text = text_of(el)
        if not text or (title and title in text) or any(part and part in text for part in skip):
            continue
        if _DATE_HINT.search(el.get("class") or "") or CATEGORY_HINT.search(el.get("class") or ""):
            continue
        if is_chrome_block(el, item) or sum(len(text_of(a)) for a in el.iter("a")) * 2 >= len(text):
            continue  # a share bar or a line of tag links is not teaser
        units = text_units(text)
        if units >= _TEASER_LINE_UNITS:
            chosen.append(el)
            total += units
    if total < _TEASER_UNITS:
        return ""
    return "".join(str(lxml.html.tostring(el, encoding="unicode", with_tail=False)) for el in chosen)


def _inside_any(el: Any, ancestors: set[Any], stop: Any) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent in ancestors:
            return True
        parent = parent.getparent()
    return False


def _guess_category(item: Any, anchor: Any | None) -> str | None:
    """A category shown in the item: a `.rec-cat`/`.category`-like element, or a "[社会]" label link."""
    for el in item.iter(etree.Element):
        hinted = CATEGORY_HINT.search(f"{el.get('class') or ''} {el.get('id') or ''}")
        if not hinted and el.tag != "a":
            continue
        if el is anchor or (anchor is not None and _inside_any(anchor, {el}, item)):
            continue
        raw = text_of(el)
        text = raw.strip("[]【】〔〕()（） ")
        if text and len(text) <= 12 and (hinted or BRACKETED.match(raw)):
            return text
    return None


def _has_block_child(el: Any) -> bool:
    return any(child.tag in ("p", "div", "section", "ul", "ol", "table") for child in el)


def _date(
    item: Any, sel: FieldSelector | None, el: Any | None, *, tz: tzinfo, now: datetime
) -> tuple[str | None, datetime | None]:
    if sel is not None:
        if el is None:
            return None, None
        raw = sel.value(el)
        published = parse_date(raw, tz=tz, now=now) if raw else None
        if published is None:
            for attr in ("datetime", "title", "data-time", "data-date"):
                alt = el.get(attr)
                if alt and (published := parse_date(alt, tz=tz, now=now)):
                    return alt, published
        return raw or None, published
    return _guess_date(item, tz=tz, now=now)


def _guess_date(item: Any, *, tz: tzinfo, now: datetime) -> tuple[str | None, datetime | None]:
    """A `<time>` element, else the short text that is most nearly a date and parses as one.

    A teaser that mentions "2024.3.5" must not beat the item's own date element, so elements whose
    class says date/time come first, then the texts that hold least besides a date.
    """
    for time_el in item.iter("time"):
        for raw in (time_el.get("datetime"), text_of(time_el)):
            if raw and (published := parse_date(raw, tz=tz, now=now)):
                return raw, published
    leaves = [el for el in item.iter(etree.Element) if el.tag != "a" and not len(el)]
    hinted = [el for el in leaves if _DATE_HINT.search(f"{el.get('class') or ''} {el.get('id') or ''}")]
    found = _first_date([t for el in hinted if (t := text_of(el)) and len(t) <= 80], tz=tz, now=now)
    if found[1] is not None:
        return found
    unhinted = [t for el in leaves if (t := text_of(el)) and len(t) <= 80 and _DIGIT.search(t)]
    # least left over once the date is taken out first: "2024-06-04" before "2024.3.5起施行"
    return _first_date(sorted(unhinted, key=lambda t: len(_NOT_DATE.sub("", t))), tz=tz, now=now)


def _first_date(texts: list[str], *, tz: tzinfo, now: datetime) -> tuple[str | None, datetime | None]:
    for text in texts:
        # "Kody Kester | Jun 26, 2022", "来源：新华网 · 3小时前": try each part of a meta line
        for part in (text, *(p.strip() for p in _META_SPLIT.split(text) if p.strip())):
            published = parse_date(part, tz=tz, now=now)
            if published is not None:
                return part, published
    return None, None


def _text_field(sel: FieldSelector | None, el: Any | None) -> str | None:
    if sel is None or el is None:
        return None
    return sel.value(el) or None


def _unique(entries: list[Entry]) -> list[Entry]:
    """One entry per link (a page often links an item from its image and its title)."""
    seen: set[str] = set()
    out = []
    for entry in entries:
        key = entry.guid or entry.link or ""
        if key in seen:
            continue
        seen.add(key)
        out.append(entry)
    return out


def _css(el: Any, css: str, key: str, raw: str) -> list[Any]:
    from cssselect import SelectorError

    try:
        return list(el.cssselect(css))
    except SelectorError as exc:
        raise ParseError(f"{key} {raw!r} is not a valid CSS selector ({exc})") from None
