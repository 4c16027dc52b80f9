"""Cache of computed summaries, keyed by a hash of the text and the summary settings."""

from __future__ import annotations

import json
import sqlite3
import time

SCHEMA = """
CREATE TABLE IF NOT EXISTS summaries (
    key TEXT PRIMARY KEY,
    summary TEXT NOT NULL,         -- JSON {"sentences": [...], "text": "the blurb"}
    used_at REAL NOT NULL
)
"""


Cached = tuple[tuple[str, ...], str]  # (sentences as in the text, the blurb shown)


def get_many(conn: sqlite3.Connection, keys: list[str]) -> dict[str, Cached]:
    found: dict[str, Cached] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, summary in conn.execute(f"SELECT key, summary FROM summaries WHERE key IN ({marks})", chunk):
            data = json.loads(summary)
            found[key] = (tuple(data["sentences"]), data["text"])
    return found


def put_many(conn: sqlite3.Connection, rows: dict[str, Cached]) -> None:
    now = time.time()
    conn.executemany(
        "INSERT OR REPLACE INTO summaries (key, summary, used_at) VALUES (?, ?, ?)",
        [(key, json.dumps({"sentences": list(s), "text": t}, ensure_ascii=False), now)
         for key, (s, t) in rows.items()],
    )


def prune(conn: sqlite3.Connection, before: float) -> int:
    return conn.execute("DELETE FROM summaries WHERE used_at < ?", (before,)).rowcount
