"""The SQLite state file: one connection, WAL, one writer at a time, and all-or-nothing commits.

Each table belongs to one module of this package (`http_cache`, `history`, `ledger`,
`summaries`, `failures`, `articles`, `seen`, `days`), which declares its `SCHEMA` and the functions
that read and write it.  Only this package touches the database, and sqlite3 errors are
turned into StateError here.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StateError

SCHEMA_VERSION = 1


class State:
    """An open state file.  Reads go straight to `conn`; writes go inside `transaction()`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; any exception rolls the whole block back."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _locked(self.path, exc) from None
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        else:
            try:
                self.conn.commit()
            except sqlite3.Error as exc:
                self.conn.rollback()
                raise StateError(f"{self.path}: could not save the state ({exc})") from None

    def close(self) -> None:
        self.conn.close()


def _locked(path: Path, exc: Exception) -> StateError:
    if "locked" in str(exc) or "busy" in str(exc):
        return StateError(
            f"{path}: another digest run is using this state file; wait for it to finish "
            "(or point `state:` in feeds.yaml at another file)"
        )
    return StateError(f"{path}: cannot use the state file ({exc})")


def open_state(path: Path, *, busy_timeout: float = 10.0, readonly: bool = False) -> State:
    """Open (creating if needed) the state file; a busy file is waited for `busy_timeout` s.

    `readonly` opens without creating anything, for `digest preview` and `digest check`:
    a preview must never write state, and a missing file reads as empty.
    """
    try:
        if readonly:
            version = 0
            if path.exists():
                conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                       timeout=busy_timeout, isolation_level=None)
                version = _version(conn)
                if version == SCHEMA_VERSION:
                    return State(path, conn)
                conn.close()
            # no state yet (or one from before tables existed): read as empty, write nothing
            conn = sqlite3.connect(":memory:", isolation_level=None)
            _init(conn)
            return State(path, conn)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(os.fspath(path), timeout=busy_timeout, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        _init(conn)
        return State(path, conn)
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise _locked(path, exc) from None
        raise StateError(
            f"{path}: not a usable digest state file ({exc}); move it away and digest starts with an empty state"
        ) from None
    except OSError as exc:
        raise StateError(f"{path}: cannot create the state file ({exc.strerror}); check `state:` in feeds.yaml") from None


def _version(conn: sqlite3.Connection) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StateError(f"the state file was written by a newer digest (schema {version}); upgrade digest")
    return version


def _schemas() -> tuple[str, ...]:
    # imported here, not at the top: the history table's module pulls in the dedup code (numpy),
    # which `digest check` on an existing state file never needs
    from . import articles, days, failures, history, http_cache, ledger, seen, summaries

    return (http_cache.SCHEMA, history.SCHEMA, ledger.SCHEMA, summaries.SCHEMA, failures.SCHEMA,
            articles.SCHEMA, seen.SCHEMA, days.SCHEMA)


def _init(conn: sqlite3.Connection) -> None:
    _version(conn)
    # executescript commits first and runs each script whole; every statement is idempotent
    for schema in _schemas():
        conn.executescript(schema)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
