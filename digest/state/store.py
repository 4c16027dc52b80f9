"""The SQLite state file: one connection, WAL, one writer at a time, and all-or-nothing commits.

Each table belongs to one module of this package (`http_cache`, `history`, `ledger`,
`summaries`, `failures`, `articles`, `seen`, `days`, `secret`), which declares its `SCHEMA` and the
functions that read and write it.  Only this package touches the database, and sqlite3 errors are
turned into StateError here (`guard` maps the ones raised later, by any query of a run).

The state file is the record of what every subscriber already got; losing it means sending
everything again.  So no message here ever suggests deleting it: a read-only file is reported
as a permission to fix, a damaged one with how to recover it.  Before a write commits, the path
must still name the file that was opened (a run whose file was deleted or replaced under it
would otherwise report success for a commit nobody will ever read).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import StateError

SCHEMA_VERSION = 1


class State:
    """An open state file.  Reads go straight to `conn`; writes go inside `transaction()`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, identity: tuple[int, int] | None = None) -> None:
        self.path = path
        self.conn = conn
        self.identity = identity  # (st_dev, st_ino) of the file opened; None for a read-only view

    def check_still_there(self) -> None:
        """StateError unless `path` still names the file this State opened (not deleted, not replaced)."""
        if self.identity is None:
            return
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            raise StateError(
                f"{self.path} was deleted while this run was using it, so nothing this run learned was saved; "
                "restore the file (from a backup or the CI cache) before the next run: without it every "
                "subscriber is sent everything again"
            ) from None
        except OSError as exc:
            raise StateError(f"{self.path}: cannot check the state file ({exc.strerror})") from None
        if (now.st_dev, now.st_ino) != self.identity:
            raise StateError(
                f"{self.path} was replaced by another file while this run was using it, so nothing this run "
                "learned was saved; find what replaced it (a cache restore, a second job) and run again"
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT; any exception rolls the whole block back."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _locked(self.path, exc) from None
        try:
            yield self.conn
            self.check_still_there()  # committing into a deleted file would be a silent loss
        except BaseException:
            self.conn.rollback()
            raise
        else:
            try:
                self.conn.commit()
            except sqlite3.Error as exc:
                self.conn.rollback()
                raise _unusable(self.path, exc, "could not save the state") from None

    def close(self) -> None:
        self.conn.close()


def _locked(path: Path, exc: Exception) -> StateError:
    if "locked" in str(exc) or "busy" in str(exc):
        return StateError(
            f"{path}: another digest run is using this state file; wait for it to finish "
            "(or point `state:` in feeds.yaml at another file)"
        )
    return StateError(f"{path}: cannot use the state file ({exc})")


def _unusable(path: Path, exc: Exception, doing: str = "cannot use the state file") -> StateError:
    """The one-line StateError for an sqlite3 error, with the fix; never "start from an empty state"."""
    text = " ".join(str(exc).split())
    if "locked" in text or "busy" in text:
        return _locked(path, exc)
    if "readonly" in text or "read-only" in text:
        return _not_writable(path) or StateError(
            f"{path}: {doing}: SQLite cannot write to it ({text}); check that the file, its folder and "
            f"any {path.name}-wal / {path.name}-shm beside it are writable by this user, and that the disk "
            "is not mounted read-only")
    if (isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)) or \
            "malformed" in text or "not a database" in text or "corrupt" in text:
        return StateError(
            f"{path}: {doing}: the state file is damaged ({text}); restore it from a backup, or keep what "
            f"is readable with `sqlite3 {path} .recover | sqlite3 {path}.recovered` and put the recovered "
            "file in its place (an empty state would send every subscriber everything again)")
    return StateError(f"{path}: {doing} ({text})")


def _mode(path: Path) -> str:
    info = path.stat()
    return f"mode {stat.filemode(info.st_mode)}, owner uid {info.st_uid}"


def _not_writable(path: Path) -> StateError | None:
    """What stops this user writing the state file, checked before SQLite touches it, or None."""
    folder = path.parent
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return StateError(
            f"{path}: the state file is read-only for this user ({_mode(path)}); digest must write to it "
            f"to remember what was sent; make it writable (`chmod u+rw {path}`, or run digest as its owner) "
            "and keep the file: it is the record of who already got what")
    for sidecar in _sidecars(path):
        if sidecar.exists() and not os.access(sidecar, os.R_OK | os.W_OK):
            return StateError(
                f"{sidecar}: read-only for this user ({_mode(sidecar)}); SQLite keeps the state file's "
                f"latest changes there; make it writable (`chmod u+rw {sidecar}`) and keep it")
    if not os.access(folder, os.W_OK | os.X_OK):
        return StateError(
            f"{folder}: the state file's folder is not writable for this user; SQLite creates "
            f"{path.name}-wal and {path.name}-shm beside {path.name} while it writes; make the folder "
            f"writable (`chmod u+rwx {folder}`) or point `state:` in feeds.yaml at a writable folder "
            "(moving the state file along with it)")
    return None


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


@contextmanager
def guard(path: Path) -> Iterator[None]:
    """Turn an sqlite3 error raised anywhere in the block (a damaged page read late) into a StateError."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None


def open_state(path: Path, *, busy_timeout: float = 10.0, readonly: bool = False) -> State:
    """Open (creating if needed) the state file; a busy file is waited for `busy_timeout` s.

    `readonly` opens without creating anything, for `digest preview` and `digest check`:
    a preview must never write state, and a missing file reads as empty.  A writable open
    checks permissions before SQLite touches the file (so no `-wal`/`-shm` files are left
    behind with the modes of a read-only file) and checks the file is intact.
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
    except sqlite3.DatabaseError as exc:
        raise _unusable(path, exc) from None
    except OSError as exc:
        raise StateError(f"{path}: cannot create the state file ({exc.strerror}); check `state:` in feeds.yaml") from None
    problem = _not_writable(path)
    if problem is not None:
        raise problem
    before = {p for p in _sidecars(path) if p.exists()}
    db: sqlite3.Connection | None = None
    try:
        db = sqlite3.connect(os.fspath(path), timeout=busy_timeout, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        _check_intact(db)
        _init(db)
        info = os.stat(path)
        return State(path, db, (info.st_dev, info.st_ino))
    except (sqlite3.DatabaseError, StateError, OSError) as exc:
        if db is not None:
            db.close()
        _remove_new_sidecars(path, before)
        if isinstance(exc, StateError):
            raise
        if isinstance(exc, OSError):
            raise StateError(f"{path}: cannot open the state file ({exc.strerror})") from None
        raise _unusable(path, exc) from None


def _remove_new_sidecars(path: Path, before: set[Path]) -> None:
    """Delete the -wal/-shm a failed open made (SQLite gives them the file's mode); never older ones.

    Only empty write-ahead logs go: a failed open wrote nothing, and a log with content could hold
    another connection's changes.
    """
    wal, shm = _sidecars(path)
    if wal in before or shm in before:
        return
    with contextlib.suppress(OSError):
        if wal.exists() and wal.stat().st_size > 0:
            return
        wal.unlink(missing_ok=True)
        shm.unlink(missing_ok=True)


def _check_intact(conn: sqlite3.Connection) -> None:
    """Read every page once (quick_check): a damaged file stops the run before anything is sent."""
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise sqlite3.DatabaseError("; ".join(problems))


def _version(conn: sqlite3.Connection) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StateError(f"the state file was written by a newer digest (schema {version}); upgrade digest")
    return version


def _schemas() -> tuple[str, ...]:
    # imported here, not at the top: the history table's module pulls in the dedup code (numpy),
    # which `digest check` on an existing state file never needs
    from . import articles, days, failures, history, http_cache, ledger, secret, seen, summaries

    return (http_cache.SCHEMA, history.SCHEMA, ledger.SCHEMA, summaries.SCHEMA, failures.SCHEMA,
            articles.SCHEMA, seen.SCHEMA, days.SCHEMA, secret.SCHEMA)


def _init(conn: sqlite3.Connection) -> None:
    _version(conn)
    # executescript commits first and runs each script whole; every statement is idempotent
    for schema in _schemas():
        conn.executescript(schema)
    from . import ledger

    ledger.migrate(conn)  # columns added since the table was first made
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
