"""Validators for conditional GET: the ETag and Last-Modified each source answered last time."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS http_cache (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    updated_at REAL NOT NULL
)
"""


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None


def get(conn: sqlite3.Connection, url: str) -> Validators:
    row = conn.execute("SELECT etag, last_modified FROM http_cache WHERE url = ?", (url,)).fetchone()
    return Validators(*row) if row else Validators()


def get_many(conn: sqlite3.Connection, urls: list[str]) -> dict[str, Validators]:
    return {url: get(conn, url) for url in urls}


def put(conn: sqlite3.Connection, url: str, validators: Validators) -> None:
    if not (validators.etag or validators.last_modified):
        conn.execute("DELETE FROM http_cache WHERE url = ?", (url,))
        return
    conn.execute(
        "INSERT INTO http_cache (url, etag, last_modified, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, "
        "last_modified = excluded.last_modified, updated_at = excluded.updated_at",
        (url, validators.etag, validators.last_modified, time.time()),
    )
