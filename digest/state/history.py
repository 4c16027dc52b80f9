"""Fingerprints of every item that went into a digest, kept `dedup.history_days` for cross-day dedup.

One row per sent item (and one title-only row per `also` copy under it, so a re-titled re-list
of any copy is recognised).  Rows hold the exact keys, the b-bit MinHash and the title terms in
the byte layout of digest.dedup.history.Stored; the title, URL and source are read back only
for the rows a window matches, when explain needs them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from ..config import DedupSettings
from ..dedup.exact import also_key_hashes, key_hashes
from ..dedup.fingerprint import VERSION, fingerprint
from ..dedup.history import History, SentRef, Stored, encode, key_hash
from ..dedup.text import title_hashes
from ..models import Item

SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    sent_at REAL NOT NULL,         -- unix time of the digest that carried the item
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    source_key INTEGER NOT NULL,   -- 64-bit hash of the source name (same-source matches need similar titles)
    version INTEGER NOT NULL,      -- fingerprint version; other versions match by keys only
    url_keys BLOB NOT NULL,        -- int64 hashes of the canonical URL (and of `also` URLs)
    id_keys BLOB NOT NULL,         -- int64 hashes of id + title
    sig BLOB,                      -- 128-byte b-bit MinHash of title + lead; NULL: headline-only
    size INTEGER NOT NULL,         -- shingles behind sig
    terms BLOB NOT NULL            -- uint32 hashes of the significant title terms
);
CREATE INDEX IF NOT EXISTS history_sent_at ON history (sent_at)
"""

_INSERT = (
    "INSERT INTO history (sent_at, title, url, source, source_key, version, url_keys, id_keys, sig, size, terms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def record_sent(conn: sqlite3.Connection, items: Sequence[Item], *, now: datetime) -> None:
    """Remember the items of a digest that was written (and sent), with their `also` copies."""
    if not items:
        return
    fp = fingerprint(items)
    stamp = now.timestamp()
    rows: list[tuple[object, ...]] = []
    for i, item in enumerate(items):
        keys = key_hashes(item)
        sig = fp.sigs[i] if fp.has_body[i] else None
        stored = encode([k for is_url, k in keys if is_url], [k for is_url, k in keys if not is_url], sig,
                        fp.size(i), fp.titles[i])
        rows.append(_row(stamp, item.title, item.url, item.source, stored))
    for ref in (ref for item in items for ref in item.also):
        # a copy is remembered by its URL and its title; its text was the representative's
        terms = title_hashes(ref.title)
        stored = encode([k for _, k in also_key_hashes(ref.url)], [], None, 0, terms)
        rows.append(_row(stamp, ref.title, ref.url, ref.source, stored))
    # the same digest recorded twice (a re-run with the same --now) replaces its rows
    conn.execute("DELETE FROM history WHERE sent_at = ?", (stamp,))
    conn.executemany(_INSERT, rows)


def _row(stamp: float, title: str, url: str, source: str, stored: Stored) -> tuple[object, ...]:
    return (stamp, title, url, source, key_hash("source", source), VERSION, stored.url_keys, stored.id_keys,
            stored.sig, stored.size, stored.terms)


def load_history(conn: sqlite3.Connection, *, now: datetime, settings: DedupSettings) -> History:
    """What digests sent in the `history_days` before `now` (not after: a re-run pinned to an
    earlier --now sees the state as it was then)."""
    if settings.history_days <= 0:
        return History.empty()
    since = (now - timedelta(days=settings.history_days)).timestamp()
    cursor = conn.execute(
        "SELECT id, source_key, version, url_keys, id_keys, sig, size, terms FROM history "
        "WHERE sent_at >= ? AND sent_at <= ?",
        (since, now.timestamp()),
    )
    ids: list[int] = []
    source_keys: list[int] = []
    url_keys: list[bytes] = []
    id_keys: list[bytes] = []
    sigs: list[bytes | None] = []
    sizes: list[int] = []
    terms: list[bytes] = []
    for entry, source_key, version, url_blob, id_blob, sig, size, term_blob in cursor:
        ids.append(entry)
        source_keys.append(source_key)
        url_keys.append(url_blob)
        id_keys.append(id_blob)
        current = version == VERSION
        sigs.append(sig if current else None)
        sizes.append(size)
        terms.append(term_blob if current else b"")

    def details(entries: Sequence[int]) -> Mapping[int, SentRef]:
        found: dict[int, SentRef] = {}
        wanted = list(entries)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id, title, url, source, sent_at FROM history WHERE id IN ({marks})"
            for entry, title, url, source, sent_at in conn.execute(query, chunk):
                found[entry] = SentRef(title, url, source, datetime.fromtimestamp(sent_at, UTC))
        return found

    return History.from_blobs(entry_ids=ids, source_keys=source_keys, url_keys=url_keys, id_keys=id_keys,
                              sigs=sigs, sizes=sizes, terms=terms, details=details)


def prune(conn: sqlite3.Connection, *, now: datetime, history_days: int) -> int:
    """Forget what was sent more than `history_days` before `now`; returns the rows removed."""
    before = (now - timedelta(days=history_days)).timestamp()
    return conn.execute("DELETE FROM history WHERE sent_at < ?", (before,)).rowcount
