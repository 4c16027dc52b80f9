"""Consecutive failures per source, so a feed that died weeks ago gets noticed.

A source's streak starts at its first failed run and ends at its next success (a 304 is a
success).  Days are counted in calendar days of `now`'s time zone, not in 24-hour periods:
a daily job that runs a few minutes earlier than yesterday still counts one day more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

SCHEMA = """
CREATE TABLE IF NOT EXISTS source_health (
    source TEXT PRIMARY KEY,
    first_failed_at REAL,          -- unix time, NULL while the source is healthy
    last_failed_at REAL,
    failures INTEGER NOT NULL DEFAULT 0,  -- consecutive failed runs
    last_error TEXT,
    last_ok_at REAL
)
"""


@dataclass(frozen=True)
class FailingSource:
    """One source in a failure streak, for `digest check` and the run report."""

    source: str
    days: int  # calendar days from the first failure of the streak to `now` (0: first failed today)
    failures: int  # consecutive failed runs
    last_error: str | None
    first_failed_at: datetime
    last_ok_at: datetime | None

    @property
    def label(self) -> str:
        """'failing for 3 days' (counting today), as the footer and `digest check` say it."""
        n = self.days + 1
        return f"failing for {n} day{'s' if n != 1 else ''}"


def _ts(now: datetime) -> float:
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()


def _days(first: float, now: datetime) -> int:
    tz = now.tzinfo or UTC
    start = datetime.fromtimestamp(first, tz).date()
    return max(0, (now.astimezone(tz).date() - start).days if now.tzinfo else (now.date() - start).days)


def record_results(conn: sqlite3.Connection, results: Sequence[tuple[str, bool, str | None]], *, now: datetime) -> None:
    """Record one run's outcome per source: (name, ok, error); ok resets the streak."""
    ts = _ts(now)
    for name, ok, error in results:
        if ok:
            conn.execute(
                "INSERT INTO source_health (source, failures, last_ok_at) VALUES (?, 0, ?) "
                "ON CONFLICT(source) DO UPDATE SET failures = 0, first_failed_at = NULL, "
                "last_failed_at = NULL, last_error = NULL, last_ok_at = excluded.last_ok_at",
                (name, ts),
            )
        else:
            conn.execute(
                "INSERT INTO source_health (source, first_failed_at, last_failed_at, failures, last_error) "
                "VALUES (?, ?, ?, 1, ?) "
                "ON CONFLICT(source) DO UPDATE SET failures = failures + 1, "
                "first_failed_at = COALESCE(first_failed_at, excluded.first_failed_at), "
                "last_failed_at = excluded.last_failed_at, last_error = excluded.last_error",
                (name, ts, ts, error),
            )


def failing(conn: sqlite3.Connection, *, now: datetime) -> list[FailingSource]:
    """Every source currently in a failure streak, longest first."""
    tz = now.tzinfo or UTC
    rows = conn.execute(
        "SELECT source, first_failed_at, failures, last_error, last_ok_at FROM source_health "
        "WHERE failures > 0 AND first_failed_at IS NOT NULL"
    ).fetchall()
    found = [
        FailingSource(
            source=name,
            days=_days(first, now),
            failures=int(count),
            last_error=error,
            first_failed_at=datetime.fromtimestamp(first, tz),
            last_ok_at=datetime.fromtimestamp(ok_at, tz) if ok_at is not None else None,
        )
        for name, first, count, error, ok_at in rows
    ]
    found.sort(key=lambda f: (-f.days, -f.failures, f.source))
    return found


def failing_days(conn: sqlite3.Connection, *, now: datetime) -> dict[str, int]:
    """Source name -> calendar days since its streak began (0: first failed today); healthy sources absent."""
    return {f.source: f.days for f in failing(conn, now=now)}


def failing_since(conn: sqlite3.Connection, days: int, *, now: datetime) -> list[FailingSource]:
    """Sources whose streak began at least `days` calendar days ago (`digest check` uses 7)."""
    return [f for f in failing(conn, now=now) if f.days >= days]


def forget(conn: sqlite3.Connection, keep: Iterable[str]) -> int:
    """Drop the health of sources no longer in the config; returns how many were dropped."""
    names = set(keep)
    stale = [row[0] for row in conn.execute("SELECT source FROM source_health") if row[0] not in names]
    conn.executemany("DELETE FROM source_health WHERE source = ?", [(name,) for name in stale])
    return len(stale)
