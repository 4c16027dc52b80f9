"""Fingerprints of every item that went into a digest, kept `dedup.history_days` for cross-day dedup.

Two tables.  `history` has a row per sent item (and one per `also` copy under it, so a re-titled
re-list of any copy is recognised) with its title, URL and source, read back only for the rows
a window matches, when explain needs them.  `history_fingerprints` has a row per digest: the
keys, b-bit MinHashes and title terms of all its items as columns of little-endian arrays
(digest.dedup.history.Batch), so loading a year of history is a few hundred reads, not Python
work per item.  A digest's items have consecutive ids from `first_id`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from ..config import DedupSettings
from ..dedup import minhash
from ..dedup.exact import also_key_hashes, key_hashes
from ..dedup.fingerprint import VERSION, fingerprint
from ..dedup.history import Batch, History, SentRef, Size, encode, key_hash
from ..dedup.text import title_hashes
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
CREATE TABLE IF NOT EXISTS history_fingerprints (
    sent_at REAL PRIMARY KEY,      -- the digest: its items are the history rows with this sent_at
    version INTEGER NOT NULL,      -- fingerprint version (other versions match by keys only)
    first_id INTEGER NOT NULL,     -- history.id of the first row, the others follow consecutively
    count INTEGER NOT NULL,        -- rows
    source_keys BLOB NOT NULL,     -- int64 per row: 64-bit hash of the source name
    keys BLOB NOT NULL,            -- int64 hashes of canonical URLs (and `also` URLs) and of id + title
    key_rows BLOB NOT NULL,        -- uint32 per key: its row (top bit: a URL key)
    sizes BLOB NOT NULL,           -- uint32 per row: shingles behind its MinHash (0: headline-only, none)
    sigs BLOB NOT NULL,            -- 128-byte b-bit MinHash of title + lead per row that has one, minimum-major
    terms BLOB NOT NULL,           -- uint32 hashes of the significant title terms of all rows ...
    term_counts BLOB NOT NULL      -- ... uint32 per row: how many are its
)
"""

_COLUMNS = "source_keys, keys, key_rows, sizes, sigs, terms, term_counts"


def record_sent(conn: sqlite3.Connection, items: Sequence[Item], *, now: datetime) -> None:
    """Remember the items of a digest that was written (and sent), with their `also` copies."""
    if not items:
        return
    _upgrade(conn)
    fp = fingerprint(items)
    stamp = now.timestamp()
    refs = [ref for item in items for ref in item.also]
    keys = [key_hashes(item) for item in items]
    # a copy is remembered by its URL and its title; its text was the representative's
    url_keys = [[k for is_url, k in ks if is_url] for ks in keys] + [[k for _, k in also_key_hashes(r.url)] for r in refs]
    id_keys = [[k for is_url, k in ks if not is_url] for ks in keys] + [[] for _ in refs]
    sigs = minhash.bbit(fp.sigs)
    batch = encode(
        source_keys=[key_hash("source", s) for s in [item.source for item in items] + [r.source for r in refs]],
        url_keys=url_keys, id_keys=id_keys,
        sigs=[sigs[i].tobytes() if fp.has_body[i] else None for i in range(len(items))] + [None] * len(refs),
        sizes=[fp.size(i) for i in range(len(items))] + [0] * len(refs),
        terms=[*fp.titles, *(title_hashes(r.title) for r in refs)],
    )
    details = [(item.title, item.url, item.source) for item in items] + [(r.title, r.url, r.source) for r in refs]
    # the same digest recorded twice (a re-run with the same --now) replaces its rows
    conn.execute("DELETE FROM history WHERE sent_at = ?", (stamp,))
    conn.execute("DELETE FROM history_fingerprints WHERE sent_at = ?", (stamp,))
    _insert(conn, stamp, VERSION, details, batch)


def _insert(conn: sqlite3.Connection, stamp: float, version: int, details: Sequence[tuple[str, str, str]],
            batch: Batch) -> None:
    """One digest's rows, with ids chosen here so that they are consecutive."""
    first = int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM history").fetchone()[0])
    conn.executemany("INSERT INTO history (id, sent_at, title, url, source) VALUES (?, ?, ?, ?, ?)",
                     [(first + n, stamp, *row) for n, row in enumerate(details)])
    conn.execute(
        f"INSERT INTO history_fingerprints (sent_at, version, first_id, count, {_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (stamp, version, first, len(details), batch.source_keys, batch.keys, batch.key_rows, batch.sizes,
         batch.sigs, batch.terms, batch.term_counts),
    )


def load_history(conn: sqlite3.Connection, *, now: datetime, settings: DedupSettings) -> History:
    """What digests sent in the `history_days` before `now` (not after: a re-run pinned to an
    earlier --now sees the state as it was then)."""
    if settings.history_days <= 0:
        return History.empty()
    since = (now - timedelta(days=settings.history_days)).timestamp()
    window = (since, now.timestamp())

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

    if _is_old_layout(conn):  # a read-only state file from before history_fingerprints
        return History.from_batches(list(_old_batches(conn, "WHERE sent_at >= ? AND sent_at <= ?", window)), details)
    snapshot = not conn.in_transaction  # the sizes and the rows from one state of the file
    if snapshot:
        conn.execute("BEGIN")
    try:
        return History.from_batches(_stored_batches(conn, window), details, size=_size(conn, window))
    finally:
        if snapshot:
            conn.execute("COMMIT")


def _size(conn: sqlite3.Connection, window: tuple[float, float]) -> Size:
    """What the digests in `window` hold (see History.from_batches), without reading them."""
    rows, keys, sigs, terms = conn.execute(
        "SELECT COALESCE(SUM(count), 0), COALESCE(SUM(length(keys)), 0) / 8, "
        "COALESCE(SUM(CASE WHEN version = ? THEN length(sigs) ELSE 0 END), 0) / ?, "
        "COALESCE(SUM(CASE WHEN version = ? THEN length(terms) ELSE 0 END), 0) / 4 "
        "FROM history_fingerprints WHERE sent_at >= ? AND sent_at <= ?",
        (VERSION, minhash.NUM_PERM, VERSION, *window),
    ).fetchone()
    return Size(rows=rows, keys=keys, sigs=sigs, terms=terms)


def _stored_batches(conn: sqlite3.Connection, window: tuple[float, float]) -> Iterator[
        tuple[npt.NDArray[np.int64], int, Batch]]:
    cursor = conn.execute(
        f"SELECT first_id, count, version, {_COLUMNS} FROM history_fingerprints "
        "WHERE sent_at >= ? AND sent_at <= ? ORDER BY sent_at",
        window,
    )
    for first, count, version, *columns in cursor:
        yield first + np.arange(count, dtype=np.int64), version, Batch(*columns)


def prune(conn: sqlite3.Connection, *, now: datetime, history_days: int) -> int:
    """Forget what was sent more than `history_days` before `now`; returns the rows removed."""
    _upgrade(conn)
    before = (now - timedelta(days=history_days)).timestamp()
    conn.execute("DELETE FROM history_fingerprints WHERE sent_at < ?", (before,))
    return conn.execute("DELETE FROM history WHERE sent_at < ?", (before,)).rowcount


# ---------------------------------------------------------------------- state files of the first layout
# Until fingerprints moved to history_fingerprints, `history` held them in a row per item.
# Such a file is converted the first time it is written, and read as it is until then.

_OLD_COLUMNS = "id, sent_at, source_key, version, url_keys, id_keys, sig, size, terms"


def _is_old_layout(conn: sqlite3.Connection) -> bool:
    return any(row[1] == "sig" for row in conn.execute("PRAGMA table_info(history)"))


def _old_batches(conn: sqlite3.Connection, where: str, args: tuple[object, ...]) -> Iterator[
        tuple[npt.NDArray[np.int64], int, Batch]]:
    """The first layout's rows as batches, one per digest (rows of another fingerprint version keep their keys only)."""
    rows = conn.execute(f"SELECT {_OLD_COLUMNS} FROM history {where} ORDER BY sent_at, id", args).fetchall()
    start = 0
    while start < len(rows):
        stop = start
        while stop < len(rows) and rows[stop][1] == rows[start][1]:
            stop += 1
        group = rows[start:stop]
        current = [version == VERSION for _, _, _, version, *_ in group]
        batch = encode(
            source_keys=[r[2] for r in group],
            url_keys=[np.frombuffer(r[4], dtype="<i8").tolist() for r in group],
            id_keys=[np.frombuffer(r[5], dtype="<i8").tolist() for r in group],
            sigs=[r[6] if ok else None for r, ok in zip(group, current, strict=True)],
            sizes=[r[7] for r in group],
            terms=[np.frombuffer(r[8], dtype="<u4").tolist() if ok else [] for r, ok in zip(group, current, strict=True)],
        )
        yield np.array([r[0] for r in group], dtype=np.int64), VERSION, batch
        start = stop


def _upgrade(conn: sqlite3.Connection) -> None:
    """Convert a state file of the first layout (inside the caller's transaction)."""
    if not _is_old_layout(conn):
        return
    batches = list(_old_batches(conn, "", ()))
    details = {row[0]: row[1:] for row in conn.execute("SELECT id, sent_at, title, url, source FROM history")}
    conn.execute("DROP INDEX IF EXISTS history_sent_at")
    conn.execute("ALTER TABLE history RENAME TO history_first_layout")
    for statement in SCHEMA.split(";"):  # not executescript: it would commit the caller's transaction
        conn.execute(statement)
    for ids, version, batch in batches:
        rows = [details[int(i)] for i in ids]
        _insert(conn, float(rows[0][0]), version, [(title, url, source) for _, title, url, source in rows], batch)
    conn.execute("DROP TABLE history_first_layout")
