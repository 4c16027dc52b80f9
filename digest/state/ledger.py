"""Delivery ledger: which recipient got which day's digest, so a re-run never sends twice.

Each row is written and committed the moment the SMTP server accepts a message (not in the
run's final transaction), so a run that dies after the second of three recipients still knows
about those two.  Recipients are stored as a hash of the normalized address plus a masked form
for humans: the state file may live in a CI cache, and it never needs the address itself.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from datetime import date

from ..errors import StateError

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    digest_date TEXT NOT NULL,          -- YYYY-MM-DD in the digest's timezone
    recipient TEXT NOT NULL,            -- recipient_key(): sha256 of the normalized address
    masked TEXT NOT NULL,               -- a***@e***.com, for people reading the table
    message_id TEXT NOT NULL,
    sent_at REAL NOT NULL,              -- unix time the server accepted the message
    sends INTEGER NOT NULL DEFAULT 1,   -- more than 1 after --force resends
    PRIMARY KEY (digest_date, recipient)
);
CREATE INDEX IF NOT EXISTS deliveries_time ON deliveries (sent_at)
"""


def recipient_key(address: str) -> str:
    """The ledger's name for a mailbox: case-insensitive, and not the address itself."""
    normalized = address.strip().casefold()
    return "sha256:" + hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def delivered_keys(conn: sqlite3.Connection, digest_date: date) -> set[str]:
    """Recipient keys that already got the digest of `digest_date`."""
    try:
        rows = conn.execute("SELECT recipient FROM deliveries WHERE digest_date = ?", (digest_date.isoformat(),))
        return {row[0] for row in rows}
    except sqlite3.Error as exc:
        raise StateError(f"cannot read the delivery ledger ({exc})") from None


def record(conn: sqlite3.Connection, digest_date: date, key: str, masked: str, message_id: str,
           sent_at: float | None = None) -> None:
    """Remember one accepted message, committed at once (it must outlive a crash a second later)."""
    if conn.in_transaction:
        raise StateError("the delivery ledger must be written outside the run's state transaction "
                         "(call send_digest before State.transaction())")
    try:
        with conn:
            conn.execute(
                "INSERT INTO deliveries (digest_date, recipient, masked, message_id, sent_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (digest_date, recipient) DO UPDATE SET "
                "message_id = excluded.message_id, sent_at = excluded.sent_at, sends = sends + 1",
                (digest_date.isoformat(), key, masked, message_id, time.time() if sent_at is None else sent_at),
            )
    except sqlite3.Error as exc:
        raise StateError(f"the message to {masked} was sent but could not be written to the delivery "
                         f"ledger ({exc}); a re-run today may send it again") from None


def count(conn: sqlite3.Connection, digest_date: date) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM deliveries WHERE digest_date = ?",
                            (digest_date.isoformat(),)).fetchone()[0])


def prune(conn: sqlite3.Connection, before: date) -> int:
    """Forget deliveries of digests older than `before` (they can never be re-sent anyway)."""
    return conn.execute("DELETE FROM deliveries WHERE digest_date < ?", (before.isoformat(),)).rowcount
