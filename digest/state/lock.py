"""One run at a time per state file: an advisory lock on `<state>.lock` held for the whole run.

SQLite's own locking protects each transaction, but two runs interleaving would both send
the same digest and both record it.  `flock` is released by the kernel when the process
dies, so a crashed run never leaves a stale lock behind; the file itself stays.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO

from ..errors import StateError

_POLL = 0.05


def lock_path(state_path: Path) -> Path:
    """`.digest/state.sqlite` -> `.digest/state.sqlite.lock`."""
    return state_path.with_name(state_path.name + ".lock")


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    """'started 2024-06-01 07:00:03, pid 4242' from the lock file, or '' if it says nothing."""
    try:
        pid, _, started = path.read_text(encoding="utf-8").strip().partition(" ")
        when = datetime.fromisoformat(started).strftime("%Y-%m-%d %H:%M:%S")
    except (OSError, ValueError):
        return ""
    return f" (started {when}, pid {pid})"


@contextmanager
def run_lock(state_path: Path, *, wait: float = 5.0) -> Iterator[Path]:
    """Hold the run lock of `state_path`; after `wait` seconds of trying, raise StateError."""
    path = lock_path(Path(state_path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the whole run
    except OSError as exc:
        raise StateError(f"{path}: cannot create the lock file ({exc.strerror}); check `state:` in feeds.yaml") from None
    try:
        give_up = time.monotonic() + max(wait, 0.0)
        while not _try_lock(handle):
            if time.monotonic() >= give_up:
                raise StateError(
                    f"another digest run is using {state_path}{_holder(path)}; try again when it finishes"
                )
            time.sleep(_POLL)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {datetime.now().astimezone().isoformat(timespec='seconds')}\n")
        handle.flush()
        yield path
    finally:
        handle.close()  # closing releases the lock
