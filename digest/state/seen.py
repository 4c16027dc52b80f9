"""When an undated item was first seen, so it keeps that time instead of looking new every run."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

SCHEMA = """
CREATE TABLE IF NOT EXISTS first_seen (
    item_id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL,         -- unix time of the first run that saw the item
    last_seen REAL NOT NULL        -- the latest run that saw it (what pruning goes by)
)
"""


def get_many(conn: sqlite3.Connection, item_ids: Iterable[str]) -> dict[str, float]:
    wanted = list(dict.fromkeys(item_ids))
    found: dict[str, float] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(f"SELECT item_id, seen_at FROM first_seen WHERE item_id IN ({marks})", chunk))
    return found


def remember(conn: sqlite3.Connection, rows: Iterable[tuple[str, float]]) -> None:
    """Record sightings; an id already known keeps its first time."""
    conn.executemany(
        "INSERT INTO first_seen (item_id, seen_at, last_seen) VALUES (?1, ?2, ?2) "
        "ON CONFLICT(item_id) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen)",
        rows,
    )


def prune(conn: sqlite3.Connection, before: float) -> int:
    """Forget items no run has seen since `before` (they left their feed)."""
    return conn.execute("DELETE FROM first_seen WHERE last_seen < ?", (before,)).rowcount
