"""One run at a time per state file: a second run waits briefly, then fails with a clear message."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from digest.errors import StateError
from digest.state.lock import lock_path, run_lock
from tests.support import paths

REPO = paths.REPO


def test_second_run_waits_then_names_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with run_lock(state) as held:
        assert held == lock_path(state) == tmp_path / "state.sqlite.lock"
        started = time.monotonic()
        with pytest.raises(StateError) as caught, run_lock(state, wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3
    message = str(caught.value)
    assert message.startswith(f"another digest run is using {state} (started ")
    assert message.endswith("; try again when it finishes")
    assert "\n" not in message and caught.value.exit_code == 3


def test_lock_is_free_again_after_the_run(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    for _ in range(3):
        with run_lock(state, wait=0):
            pass


def test_waiting_run_gets_the_lock_when_the_first_finishes(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with run_lock(state):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait(10)
    threading.Timer(0.2, release.set).start()
    with run_lock(state, wait=10):  # succeeds once the first run lets go
        assert release.is_set()
    thread.join()


def test_crashed_run_leaves_no_stale_lock(tmp_path: Path) -> None:
    state = tmp_path / "sub" / "state.sqlite"
    code = (
        "import sys; from pathlib import Path; from digest.state.lock import run_lock\n"
        f"with run_lock(Path({str(state)!r})):\n"
        "    print('locked', flush=True); sys.stdin.read()\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(StateError, match=rf"pid {child.pid}\)"), run_lock(state, wait=0.1):
            pass
        child.kill()  # a crash: no cleanup code runs
        child.wait(10)
        with run_lock(state, wait=0):  # the kernel dropped the lock with the process
            pass
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)


def test_unwritable_state_folder_is_a_state_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StateError, match="cannot create the lock file"), run_lock(blocker / "state.sqlite"):
        pass
