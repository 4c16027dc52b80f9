"""Delivery ledger: which recipient got which day's digest, so a re-run never sends twice.

Each row is written and committed the moment the SMTP server answers for a message (not in the
run's final transaction), so a run that dies after the second of three recipients still knows
about those two.  Recipients are stored as a keyed hash of the normalized address (HMAC with
the run's secret of `secret.py`, made by `deliver/keys.py`) plus a masked form for humans: the
state file may live in a CI cache, and neither it nor anyone holding a list of addresses should
be able to tell who is in it.  Rows written before keys were keyed hold `sha256:` keys; `adopt`
re-keys them the first time their recipient is seen again.

A row is `sent` (the server said 250) or `uncertain` (the whole message went out, then the
connection died before the answer: the server may have stored it).  An uncertain recipient is
sent at most one more copy, with the same Message-ID, on a later run of the same digest.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ..errors import StateError

SENT, UNCERTAIN = "sent", "uncertain"
MAX_UNCERTAIN_COPIES = 2  # the copy whose answer was lost, and at most one more

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    digest_date TEXT NOT NULL,          -- YYYY-MM-DD in the digest's timezone
    recipient TEXT NOT NULL,            -- deliver.keys.recipient_key(): HMAC of the normalized address (legacy: sha256)
    masked TEXT NOT NULL,               -- a***@e***.com#tag, for people reading the table
    message_id TEXT NOT NULL,
    sent_at REAL NOT NULL,              -- unix time the server accepted the message
    sends INTEGER NOT NULL DEFAULT 1,   -- more than 1 after --force resends or a second uncertain copy
    status TEXT NOT NULL DEFAULT 'sent', -- 'sent' | 'uncertain' (no answer after the whole message)
    PRIMARY KEY (digest_date, recipient)
);
CREATE INDEX IF NOT EXISTS deliveries_time ON deliveries (sent_at)
"""


@dataclass(frozen=True)
class Entry:
    """What the ledger knows about one recipient and one digest."""

    status: str
    sends: int
    message_id: str

    @property
    def may_resend(self) -> bool:
        """An uncertain delivery gets one more copy; a confirmed one, or a second uncertain one, none."""
        return self.status == UNCERTAIN and self.sends < MAX_UNCERTAIN_COPIES


def migrate(conn: sqlite3.Connection) -> None:
    """Add the `status` column to a ledger made before it existed (every old row was confirmed)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(deliveries)")}
    if "status" not in columns:
        conn.execute("ALTER TABLE deliveries ADD COLUMN status TEXT NOT NULL DEFAULT 'sent'")


def entries(conn: sqlite3.Connection, digest_date: date) -> dict[str, Entry]:
    """Recipient key -> what the ledger holds for the digest of `digest_date`."""
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(deliveries)")}
        status = "status" if "status" in columns else "'sent'"  # a read-only file from before the column
        rows = conn.execute(f"SELECT recipient, {status}, sends, message_id FROM deliveries WHERE digest_date = ?",
                            (digest_date.isoformat(),))
        return {row[0]: Entry(row[1], int(row[2]), row[3]) for row in rows}
    except sqlite3.Error as exc:
        raise StateError(f"cannot read the delivery ledger ({exc})") from None


def delivered_keys(conn: sqlite3.Connection, digest_date: date) -> set[str]:
    """Recipient keys that got (or, unconfirmed twice, may have got) the digest of `digest_date`."""
    return {key for key, entry in entries(conn, digest_date).items() if not entry.may_resend}


def adopt(conn: sqlite3.Connection, keys: Mapping[str, tuple[Iterable[str], str]]) -> int:
    """Re-key rows stored under a recipient's older keys: `{new key: (older keys, masked)}`.

    Run at the start of sending, when the addresses are known: rows of the unkeyed `sha256:`
    era (or of a previous secret) move to the current key, so they keep counting as delivered.
    """
    moved = 0
    try:
        with conn:
            for new, (olds, masked) in keys.items():
                for old in olds:
                    if old == new:
                        continue
                    moved += conn.execute("UPDATE OR IGNORE deliveries SET recipient = ?, masked = ? WHERE recipient = ?",
                                          (new, masked, old)).rowcount
                    conn.execute("DELETE FROM deliveries WHERE recipient = ?", (old,))  # a day that has both
    except sqlite3.Error as exc:
        raise StateError(f"cannot update the delivery ledger ({exc})") from None
    return moved


def record(conn: sqlite3.Connection, digest_date: date, key: str, masked: str, message_id: str,
           sent_at: float | None = None, *, status: str = SENT) -> None:
    """Remember one message the server took (or may have taken), committed at once.

    It must outlive a crash a second later: that is what keeps a re-run from sending it again.
    """
    if conn.in_transaction:
        raise StateError("the delivery ledger must be written outside the run's state transaction "
                         "(call send_digest before State.transaction())")
    try:
        with conn:
            conn.execute(
                "INSERT INTO deliveries (digest_date, recipient, masked, message_id, sent_at, status) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (digest_date, recipient) DO UPDATE SET masked = excluded.masked, "
                "message_id = excluded.message_id, sent_at = excluded.sent_at, sends = sends + 1, "
                "status = excluded.status",
                (digest_date.isoformat(), key, masked, message_id, time.time() if sent_at is None else sent_at, status),
            )
    except sqlite3.Error as exc:
        raise StateError(f"the message to {masked} was sent but could not be written to the delivery "
                         f"ledger ({exc}); a re-run today may send it again") from None


def count(conn: sqlite3.Connection, digest_date: date, status: str | None = None) -> int:
    query = "SELECT COUNT(*) FROM deliveries WHERE digest_date = ?" + (" AND status = ?" if status else "")
    args = (digest_date.isoformat(), status) if status else (digest_date.isoformat(),)
    return int(conn.execute(query, args).fetchone()[0])


def prune(conn: sqlite3.Connection, before: date) -> int:
    """Forget deliveries of digests older than `before` (they can never be re-sent anyway)."""
    return conn.execute("DELETE FROM deliveries WHERE digest_date < ?", (before.isoformat(),)).rowcount
