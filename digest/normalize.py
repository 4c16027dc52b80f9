"""Entries from any adapter -> Items: one id rule, canonical URLs, aware dates, clean text.

The id falls back in a fixed order, and the order matters for dedup across runs:

1. the entry's GUID, when it looks globally unique (an http(s) URL, a urn: or a tag: URI).
   Anything else ("42", "javascript:…") is scoped to the source, because many feeds number
   their items from 1 and two feeds would otherwise collide;
2. the canonical link, when there is no GUID or when the feed reuses one GUID for several
   entries (some CMSs ship the same GUID on every item — the same guard miniflux keeps);
3. a hash of source, title and text, for entries with neither.

An id longer than MAX_ID is replaced by its hash, so a hostile GUID cannot bloat the state file.

Every per-item field is capped here, once, so every output (e-mail, text, JSON, archive) stays
bounded whatever a feed sends: a 1 MB title becomes 300 characters ending in "…".
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from . import deadline
from .config import Source
from .dates import When, resolve_feed_date
from .models import Entry, Item
from .sanitize import clean_text, html_to_text, shorten, title_text
from .urls import canonical_and_legacy, canonical_url

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_GLOBAL_GUID = re.compile(r"^(?:urn|tag):", re.IGNORECASE)
# Dates before feeds existed or well past `now` are a feed's bug, not news (year 9999, 1970).
_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
_FUTURE_SLACK = timedelta(days=2)

# Caps, in characters.  A headline is rarely over 150; 300 leaves room for long Latin ones.
MAX_TITLE = 300
MAX_AUTHOR = 200  # "A, B, C and D for the Desk"
MAX_SECTION = 80  # a listing item's category becomes a section heading
MAX_TEXT = 100_000  # an article's text: a 15,000-word long read; summaries are cut from it
MAX_URL = 2048  # longer is no link a reader can use (and some mail clients break it)
MAX_ID = 2048


def detect_language(text: str) -> str:
    """'zh' when Han characters carry the text, else 'en' (by script, not by a model)."""
    sample = text[:2000]
    han = len(_CJK.findall(sample))
    if not han:
        return "en"
    latin_words = len(_LATIN_WORD.findall(sample))
    # a Han character is about a word's worth of meaning: compare counts directly
    return "zh" if han >= latin_words * 0.5 else "en"


def normalize_entries(entries: Sequence[Entry], source: Source, *, now: datetime, tz: ZoneInfo) -> list[Item]:
    """Items for one source's entries; entries with neither title, text nor link are dropped."""
    guid_counts = Counter(e.guid for e in entries if e.guid)
    items = []
    source_tz = ZoneInfo(source.timezone) if source.timezone else tz
    for entry in entries:
        deadline.check()  # a feed of 100,000 entries must not outlive the run's deadline
        item = _normalize(entry, source, now=now, tz=source_tz, guid_shared=guid_counts[entry.guid] > 1 if entry.guid else False)
        if item is not None:
            items.append(item)
    return items


def _normalize(entry: Entry, source: Source, *, now: datetime, tz: ZoneInfo, guid_shared: bool) -> Item | None:
    base = entry.base_url or source.url
    body_html = entry.content if len(entry.content) >= len(entry.summary) else entry.summary
    text = html_to_text(body_html)
    if not text and entry.summary and body_html is not entry.summary:
        text = html_to_text(entry.summary)
    text = shorten(text, MAX_TEXT)
    url, legacy_url = canonical_and_legacy(entry.link or "", base)
    if not url and entry.guid:
        url, legacy_url = canonical_and_legacy(entry.guid)  # RSS isPermaLink GUIDs are the link
    if len(url) > MAX_URL:
        log.debug("%s: ignoring a link of %d characters", source.name, len(url))
        url = legacy_url = ""
    title = title_text(entry.title)
    if not title:
        title = _title_from_text(text) or url  # a bare link still tells the reader where it goes
    title = shorten(title, MAX_TITLE)
    if not title:
        return None
    when = _published(entry, tz=tz, now=now)
    published = when.moment if when else None
    language = detect_language(f"{title}\n{text[:1000]}")
    category = shorten(title_text(entry.category), MAX_SECTION) if source.type == "listing" and entry.category else ""
    section = source.section or category or source.name
    item_id = _item_id(entry, source, url, title, text, guid_shared)
    legacy_id = _item_id(entry, source, legacy_url, title, text, guid_shared, canonical=_legacy)
    return Item(
        id=item_id,
        url=url,  # "" when the entry has no link: never the feed's own URL (that would merge them all)
        title=title,
        source=source.name,
        section=title_text(section) or source.name,
        published=published or now,
        dated=published is not None,
        language=language,
        text=text,
        author=shorten(title_text(entry.author), MAX_AUTHOR) if entry.author else None,
        source_index=source.index,
        time_known=when.time_known if when else True,
        legacy_url=legacy_url if legacy_url != url else "",
        legacy_id=legacy_id if legacy_id != item_id else "",
    )


def _item_id(entry: Entry, source: Source, url: str, title: str, text: str, guid_shared: bool,
             canonical: Callable[[str], str] = canonical_url) -> str:
    item_id = _id_of(entry, source, url, title, text, guid_shared, canonical)
    if len(item_id) > MAX_ID:
        return "sha256:" + hashlib.sha256(item_id.encode()).hexdigest()[:32]
    return item_id


def _id_of(entry: Entry, source: Source, url: str, title: str, text: str, guid_shared: bool,
           canonical: Callable[[str], str]) -> str:
    guid = (entry.guid or "").strip()
    if guid and not guid_shared:
        as_url = canonical(guid)
        if as_url:
            return as_url
        if _GLOBAL_GUID.match(guid):
            return guid
        return f"{source.name}#{guid}"
    if url:
        return url
    digest = hashlib.sha256(f"{source.name}\x00{title}\x00{text}".encode()).hexdigest()[:32]
    return f"sha256:{digest}"


def _legacy(url: str) -> str:
    return canonical_and_legacy(url)[1]


def article_text(text: str) -> str:
    """An article page's extracted text (full text), cleaned and capped like a feed's own text."""
    return shorten(clean_text(text), MAX_TEXT)


def _title_from_text(text: str, limit: int = 90) -> str:
    first = text.split("\n", 1)[0].strip()
    if len(first) <= limit:
        return first
    cut = first[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut) + "…"


def _published(entry: Entry, *, tz: ZoneInfo, now: datetime) -> When | None:
    when = When(entry.published) if entry.published is not None else None
    if when is None or entry.published_raw:
        # feedparser misreads Chinese dates and "CST"; the source's timezone settles those
        when = resolve_feed_date(entry.published_raw, entry.published, tz=tz, now=now)
    if when is None:
        return None
    published = when.moment
    if published.tzinfo is None:
        published = published.replace(tzinfo=tz)
    if published < _EARLIEST or published > now + _FUTURE_SLACK:
        log.debug("%s: ignoring implausible date %s on %r", entry.link, published, entry.title)
        return None
    return When(published, when.time_known)
