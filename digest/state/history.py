"""What every digest carried, kept `dedup.history_days` for cross-day dedup.

Two tables.  `history` has a row per sent item (and one per `also` copy under it, so a re-titled
re-list of any copy is recognised) with its title, URL and source, read back only for the rows
a window matches, when explain needs them.  `history_stories` has a row per digest: the exact
keys and the title and lead terms of all its items (encoded by digest.dedup.history, the one
definition) as columns of little-endian arrays, so loading a fortnight is a few reads.  A
digest's items have consecutive ids from `first_id`.

State files written before `history_stories` (with `history_fingerprints`, or with the
fingerprints in `history` itself) are read by their exact keys, which have not changed, and by
title terms recomputed from the stored titles; they are converted when the file is next written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from ..config import DedupSettings
from ..dedup.history import Batch, History, SentRef, encode_items, encode_titles
from ..models import Item

SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    sent_at REAL NOT NULL,         -- unix time of the digest that carried the item
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_sent_at ON history (sent_at);
CREATE TABLE IF NOT EXISTS history_stories (
    sent_at REAL PRIMARY KEY,      -- the digest: its items are the history rows with this sent_at
    first_id INTEGER NOT NULL,     -- history.id of the first row, the others follow consecutively
    count INTEGER NOT NULL,        -- rows
    source_keys BLOB NOT NULL,     -- int64 per row: 64-bit hash of the source name
    keys BLOB NOT NULL,            -- int64 hashes of canonical URLs (and `also` URLs) and of id + title
    key_rows BLOB NOT NULL,        -- uint32 per key: its row (top bit: a URL key)
    titles BLOB NOT NULL,          -- uint32 title term hashes of all rows ...
    title_counts BLOB NOT NULL,    -- ... uint32 per row: how many are its
    leads BLOB NOT NULL,           -- uint32 lead term hashes of all rows ...
    lead_counts BLOB NOT NULL      -- ... uint32 per row
)
"""

_COLUMNS = "source_keys, keys, key_rows, titles, title_counts, leads, lead_counts"
Rows = npt.NDArray[np.int64]


def record_sent(conn: sqlite3.Connection, items: Sequence[Item], *, now: datetime) -> None:
    """Remember the items of a digest that was written (and sent), with their `also` copies."""
    if not items:
        return
    upgrade(conn)
    refs = [ref for item in items for ref in item.also]
    details = [(item.title, item.url, item.source) for item in items] + [(r.title, r.url, r.source) for r in refs]
    stamp = now.timestamp()
    # the same digest recorded twice (a re-run with the same --now) replaces its rows
    conn.execute("DELETE FROM history WHERE sent_at = ?", (stamp,))
    conn.execute("DELETE FROM history_stories WHERE sent_at = ?", (stamp,))
    _insert(conn, stamp, details, encode_items(items))


def _insert(conn: sqlite3.Connection, stamp: float, details: Sequence[tuple[str, str, str]], batch: Batch,
            first: int | None = None) -> None:
    """One digest's rows, with ids chosen here (or kept, converting) so that they are consecutive."""
    if first is None:
        first = int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM history").fetchone()[0])
        conn.executemany("INSERT INTO history (id, sent_at, title, url, source) VALUES (?, ?, ?, ?, ?)",
                         [(first + n, stamp, *row) for n, row in enumerate(details)])
    conn.execute(
        f"INSERT INTO history_stories (sent_at, first_id, count, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (stamp, first, len(details), batch.source_keys, batch.keys, batch.key_rows, batch.titles,
         batch.title_counts, batch.leads, batch.lead_counts),
    )


def load_history(conn: sqlite3.Connection, *, now: datetime, settings: DedupSettings) -> History:
    """What digests sent in the `history_days` before `now` (not after: a re-run pinned to an
    earlier --now sees the state as it was then)."""
    if settings.history_days <= 0:
        return History.empty()
    window = ((now - timedelta(days=settings.history_days)).timestamp(), now.timestamp())

    def details(entries: Sequence[int]) -> Mapping[int, SentRef]:
        found: dict[int, SentRef] = {}
        wanted = list(entries)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = f"SELECT id, title, url, source, sent_at FROM history WHERE id IN ({','.join('?' * len(chunk))})"
            for entry, title, url, source, sent_at in conn.execute(query, chunk):
                found[entry] = SentRef(title, url, source, datetime.fromtimestamp(sent_at, UTC))
        return found

    return History.from_batches([*_stored(conn, window), *_legacy(conn, window)], details)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _stored(conn: sqlite3.Connection, window: tuple[float, float]) -> Iterator[tuple[Rows, float, Batch]]:
    if "history_stories" not in _tables(conn):  # a read-only file of an older layout
        return
    query = f"SELECT sent_at, first_id, count, {_COLUMNS} FROM history_stories WHERE sent_at >= ? AND sent_at <= ?"
    for sent_at, first, count, *columns in conn.execute(query, window):
        yield first + np.arange(count, dtype=np.int64), sent_at, Batch(*columns)


def _legacy(conn: sqlite3.Connection, window: tuple[float, float]) -> Iterator[tuple[Rows, float, Batch]]:
    """Digests recorded by an older digest, with their stored keys and title terms worked out anew."""
    tables = _tables(conn)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(history)")}
    if "history_fingerprints" in tables:
        query = ("SELECT sent_at, first_id, count, source_keys, keys, key_rows FROM history_fingerprints "
                 "WHERE sent_at >= ? AND sent_at <= ? ORDER BY sent_at")
        for sent_at, first, count, source_keys, key_blob, key_rows in conn.execute(query, window).fetchall():
            titles = [t for (t,) in conn.execute("SELECT title FROM history WHERE id >= ? AND id < ? ORDER BY id",
                                                 (first, first + count))]
            yield first + np.arange(count, dtype=np.int64), sent_at, _legacy_batch(
                np.frombuffer(source_keys, dtype="<i8").tolist(), key_blob, key_rows, titles)
    elif "sig" in columns:  # the first layout: one row per item, keys in columns of their own
        query = ("SELECT id, sent_at, title, source_key, url_keys, id_keys FROM history "
                 "WHERE sent_at >= ? AND sent_at <= ? ORDER BY sent_at, id")
        groups: dict[float, list[tuple[int, str, int, bytes, bytes]]] = {}
        for entry, sent_at, title, source_key, url_keys, id_keys in conn.execute(query, window):
            groups.setdefault(sent_at, []).append((entry, title, source_key, url_keys, id_keys))
        for sent_at, rows in groups.items():
            pairs = [[(True, k) for k in np.frombuffer(u, dtype="<i8").tolist()]
                     + [(False, k) for k in np.frombuffer(d, dtype="<i8").tolist()] for _, _, _, u, d in rows]
            yield np.array([r[0] for r in rows], dtype=np.int64), sent_at, encode_titles(
                [(title, source, ks) for (_, title, source, _, _), ks in zip(rows, pairs, strict=True)])


def _legacy_batch(source_keys: list[int], key_blob: bytes, key_rows: bytes, titles: list[str]) -> Batch:
    raw = np.frombuffer(key_rows, dtype="<u4").tolist()
    stored = np.frombuffer(key_blob, dtype="<i8").tolist()
    pairs: list[list[tuple[bool, int]]] = [[] for _ in titles]
    for key, row in zip(stored, raw, strict=True):
        pairs[row & 0x7FFF_FFFF].append((bool(row >> 31), key))
    return encode_titles(list(zip(titles, source_keys, pairs, strict=True)))


def prune(conn: sqlite3.Connection, *, now: datetime, history_days: int) -> int:
    """Forget what was sent more than `history_days` before `now`; returns the rows removed."""
    upgrade(conn)
    before = (now - timedelta(days=history_days)).timestamp()
    conn.execute("DELETE FROM history_stories WHERE sent_at < ?", (before,))
    return conn.execute("DELETE FROM history WHERE sent_at < ?", (before,)).rowcount


def upgrade(conn: sqlite3.Connection) -> None:
    """Convert a state file of an older layout to history_stories (inside the caller's transaction)."""
    tables = _tables(conn)
    first_layout = "sig" in {row[1] for row in conn.execute("PRAGMA table_info(history)")}
    if "history_fingerprints" not in tables and not first_layout:
        return
    everything = (float("-inf"), float("inf"))
    batches = list(_legacy(conn, everything))
    details = {row[0]: row[1:] for row in conn.execute("SELECT id, title, url, source FROM history")}
    if first_layout:
        conn.execute("DROP INDEX IF EXISTS history_sent_at")
        conn.execute("ALTER TABLE history RENAME TO history_first_layout")
    conn.execute("DROP TABLE IF EXISTS history_fingerprints")
    for statement in SCHEMA.split(";"):  # not executescript: it would commit the caller's transaction
        conn.execute(statement)
    for ids, sent_at, batch in batches:
        rows = [details[int(i)] for i in ids]
        if first_layout:  # the rows move to the new `history`, renumbered consecutively
            _insert(conn, sent_at, rows, batch)
        else:
            _insert(conn, sent_at, rows, batch, first=int(ids[0]))
    conn.execute("DROP TABLE IF EXISTS history_first_layout")
