"""Cache of full-article text fetched for `full_text: true` sources, keyed by URL.

Rows are read during a run and written with the rest of the state in the run's one final
transaction (`put_many` inside `State.transaction()`), so a crashed run leaves no trace here either.
A failed extraction is remembered too (text NULL), so a page we cannot read is not fetched again
on every run; it is retried once its row is older than the failure TTL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    text TEXT,                     -- extracted main text, NULL when extraction failed
    fetched_at REAL NOT NULL
)
"""

TEXT_TTL = 30 * 86400.0  # an article's text rarely changes after the first days
FAILURE_TTL = 86400.0  # try a page that gave no text again the next day


@dataclass(frozen=True)
class Article:
    url: str
    text: str | None  # None: fetched, but no main text could be extracted
    fetched_at: float


def get_many(conn: sqlite3.Connection, urls: Iterable[str], *, now: float) -> dict[str, Article]:
    """Cached rows still fresh at `now` (texts for TEXT_TTL, failures for FAILURE_TTL)."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, Article] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT url, text, fetched_at FROM articles WHERE url IN ({marks})", chunk)
        for url, text, fetched_at in rows:
            ttl = TEXT_TTL if text is not None else FAILURE_TTL
            if now - fetched_at < ttl:
                found[url] = Article(url, text, fetched_at)
    return found


def put_many(conn: sqlite3.Connection, rows: Iterable[Article]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO articles (url, text, fetched_at) VALUES (?, ?, ?)",
        [(a.url, a.text, a.fetched_at) for a in rows],
    )


def prune(conn: sqlite3.Connection, before: float) -> int:
    return conn.execute("DELETE FROM articles WHERE fetched_at < ?", (before,)).rowcount
