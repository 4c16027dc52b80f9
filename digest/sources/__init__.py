"""Source adapters: fetched bytes of one source -> Entries.  Pure; one adapter per source type."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from ..config import Source
from ..models import Entry


def parse_source(source: Source, body: bytes, headers: Mapping[str, str], url: str,
                 *, tz: ZoneInfo, now: datetime) -> list[Entry]:
    """Entries of one source; raises ParseError with a one-line reason."""
    if source.type == "listing":
        from .listing import parse_listing

        return parse_listing(body, headers, url, source.select, tz=tz, now=now).entries
    from .feed import parse_feed

    return parse_feed(body, headers, url)
