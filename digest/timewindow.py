"""Durations ("90s", "24h", "7d") and the `--since` window, shared by config and CLI."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, tzinfo

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """'90s', '5m', '24h', '7d', '2w' -> timedelta; ValueError with the accepted forms."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"expected a duration like 90s, 5m, 24h or 7d, got {text!r}")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])


def parse_since(text: str, now: datetime, tz: tzinfo) -> datetime:
    """The start of the window: a duration back from `now`, a date/time, or 'all'.

    A bare date means midnight of that day in the digest's timezone.
    """
    value = str(text).strip()
    if value.lower() == "all":
        return datetime(1970, 1, 1, tzinfo=tz)
    if _DURATION.match(value):
        return now - parse_duration(value)
    from dateutil import parser as dateparser  # only for dates: keeps `digest check` start-up light

    try:
        parsed = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        raise ValueError(
            f"expected a duration (24h, 7d), a date (2024-06-01) or 'all', got {value!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def parse_now(text: str | None, tz: tzinfo) -> datetime:
    """`--now` as an aware datetime (ISO-8601; naive means the digest's timezone)."""
    if not text:
        return datetime.now(tz)
    from dateutil import parser as dateparser

    try:
        parsed = dateparser.isoparse(text)
    except (ValueError, OverflowError):
        raise ValueError(f"expected an ISO-8601 time like 2024-06-05T08:00:00+08:00, got {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def local_date(moment: datetime, tz: tzinfo) -> date:
    """The calendar day of `moment` where the digest is read."""
    return moment.astimezone(tz).date()
