"""`digest check --source NAME`: fetch one source and report what was extracted, so selectors can be tuned.

The probe runs the same steps as a digest run (fetch, parse, normalize) for one source and keeps
what a user needs to judge the result: the entries as items, the item selector used or detected,
the charset the page was read in, and a one-line error when something failed.  Nothing is written
to the state file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from .config import Config, Source
from .errors import SourceError
from .models import Item


@dataclass(frozen=True)
class ProbeResult:
    source: Source
    url: str  # where the bytes came from (after redirects)
    ok: bool
    items: tuple[Item, ...] = ()  # as the digest would see them: canonical links, dates in the source's zone
    raw_dates: tuple[str | None, ...] = ()  # the date text of each item as written on the page
    selector: str | None = None  # listing sources: the item selector used, or the one detected
    detected: bool = False
    items_matched: int = 0  # elements the item selector picked
    error: str | None = None
    warnings: tuple[str, ...] = ()
    charset: str | None = None
    size: int = 0  # bytes of the page or feed
    elapsed: float = 0.0
    full_text: dict[str, str] = field(default_factory=dict)  # item id -> "1234 characters" or the reason it failed


def probe_source(config: Config, name: str) -> ProbeResult:
    """Fetch, parse and normalize one source; failures come back in `error`, never raised."""
    from .fetch import FetchRequest, fetch_all

    source = config.source(name)
    tz = ZoneInfo(source.timezone) if source.timezone else config.tz
    now = datetime.now(tz)
    started = time.perf_counter()
    [fetched] = fetch_all([FetchRequest(key=source.name, url=source.url, allow_file=True)], config.fetch)
    elapsed = time.perf_counter() - started
    url = fetched.final_url or source.url
    if fetched.status != "ok":
        return ProbeResult(source, url, ok=False, error=fetched.error or fetched.status, elapsed=elapsed)

    content_type = next((v for k, v in fetched.headers.items() if k.lower() == "content-type"), None)
    selector: str | None = None
    detected, matched, charset = False, 0, None
    warnings: tuple[str, ...] = ()
    try:
        if source.type == "listing":
            from .encoding import decode_html_with_charset
            from .sources.listing import parse_listing

            charset = decode_html_with_charset(fetched.body, content_type)[1]
            listing = parse_listing(fetched.body, fetched.headers, url, source.select, tz=tz, now=now)
            entries = listing.entries
            selector, detected, matched, warnings = (
                listing.selector, listing.detected, listing.items_matched, tuple(listing.warnings))
        else:
            from .sources import parse_source

            entries = parse_source(source, fetched.body, fetched.headers, url, tz=tz, now=now)
    except SourceError as exc:
        return ProbeResult(source, url, ok=False, error=str(exc), charset=charset, size=len(fetched.body), elapsed=elapsed)

    from .normalize import normalize_entries
    from .urls import canonical_url

    items = tuple(normalize_entries(entries, source, now=now, tz=tz))
    written: dict[str, str | None] = {}
    for entry in entries:
        for key in (entry.guid, canonical_url(entry.link or "", entry.base_url)):
            if key:
                written.setdefault(key, entry.published_raw)
    raw_dates = tuple(written.get(i.id, written.get(i.url)) for i in items)
    full_text = _probe_full_text(config, items[0]) if source.full_text and items else {}
    return ProbeResult(
        source, url, ok=True, items=items, raw_dates=raw_dates, selector=selector, detected=detected,
        items_matched=matched, warnings=warnings, charset=charset, size=len(fetched.body), elapsed=elapsed,
        full_text=full_text,
    )


def _probe_full_text(config: Config, item: Item) -> dict[str, str]:
    """Try the full-text step on the first item, so `full_text: true` can be checked too."""
    from .fulltext import fetch_full_texts

    texts = fetch_full_texts([item], fetch_settings=config.fetch, allow_hosts=config.fetch.allow_hosts, conn=None,
                             now=time.time())
    if item.id in texts:
        return {item.id: f"{len(texts[item.id])} characters of article text"}
    return {item.id: texts.errors.get(item.id, "the page had no more text than the item")}
