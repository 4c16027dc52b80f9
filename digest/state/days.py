"""The digest each day first went out with, so a re-run that day finishes delivering *that* digest.

Without it, a re-run after a partial delivery (one subscriber refused, the job died) would build
a new digest whose items were already marked as sent, and the missing subscriber would get an
empty one; and new items found by the re-run would be marked as sent to people who never got them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS day_digests (
    digest_date TEXT PRIMARY KEY,  -- the digest's calendar day in its timezone
    doc TEXT NOT NULL,             -- digest.json (schema 1) of the digest as it was sent
    saved_at REAL NOT NULL
)
"""


def get(conn: sqlite3.Connection, day: date) -> dict[str, Any] | None:
    row = conn.execute("SELECT doc FROM day_digests WHERE digest_date = ?", (day.isoformat(),)).fetchone()
    return json.loads(row[0]) if row else None


def save(conn: sqlite3.Connection, day: date, doc: dict[str, Any]) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO day_digests (digest_date, doc, saved_at) VALUES (?, ?, ?)",
        (day.isoformat(), json.dumps(doc, ensure_ascii=False), time.time()),
    )


def forget(conn: sqlite3.Connection, day: date) -> None:
    conn.execute("DELETE FROM day_digests WHERE digest_date = ?", (day.isoformat(),))


def prune(conn: sqlite3.Connection, before: float) -> int:
    return conn.execute("DELETE FROM day_digests WHERE saved_at < ?", (before,)).rowcount
