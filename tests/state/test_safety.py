"""Issue 19, state: a state file deleted or replaced mid-run, a damaged page, a read-only file.

Every case runs the real pipeline (or the real `digest` command in a child process) over a
local HTTP server and a real SQLite file, and must end in one line with exit code 3, never a
traceback, never "success", and never the advice to throw the state away (that re-sends
everything to everyone).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from digest import pipeline
from digest.config import load_config
from digest.errors import StateError
from digest.state import open_state
from tests.support import paths
from tests.support.raw_server import Exchange, raw_server
from tests.support.smtp import smtp_server

DATA = paths.DATA / "core"
NOW = "2024-06-05T12:00:00+00:00"


def write_project(folder: Path, feed_url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "feeds.yaml"
    config.write_text(
        "title: State test\n"
        "state: state/state.sqlite\n"
        "email:\n  from: digest@example.com\n  to: ${DIGEST_TO}\n"
        f"sources:\n  - name: Tech\n    url: {feed_url}\n",
        encoding="utf-8",
    )
    return config


def history_rows(state_file: Path) -> int:
    with closing(sqlite3.connect(state_file)) as conn:  # closed: an open reader keeps -wal/-shm around
        return int(conn.execute("SELECT COUNT(*) FROM history").fetchone()[0])


def digest_command(config: Path, out: Path, *extra: str, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """`digest run` in a child process (a traceback would show on its stderr); optionally without root's
    power to ignore file modes, so a read-only file is read-only even in a root container."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}
    return subprocess.run(
        [sys.executable, "-m", "digest", "run", "--config", str(config), "--out", str(out), "--now", NOW, *extra],
        capture_output=True, text=True, timeout=120, env=env,
        preexec_fn=_drop_file_capabilities if unprivileged and os.geteuid() == 0 else None,
    )


def _drop_file_capabilities() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: root then obeys file modes
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def feed() -> object:
    with raw_server() as server:
        body = (DATA / "tech.rss.xml").read_bytes()
        server.routes["/tech.xml"] = lambda ex: ex.send(200, body, {"Content-Type": "application/rss+xml"})
        yield server


# ---------------------------------------------------------------------------- deleted or replaced mid-run


def _run_with_hook(config_path: Path, out: Path, hook: Callable[[Path], None], *, send: bool = False) -> None:
    config = load_config(config_path)
    options = pipeline.RunOptions(out=out, now=NOW, send=send, on_source=lambda result: hook(config.state))
    pipeline.run(config, options)


def _delete(state_file: Path) -> None:
    state_file.unlink()


def _replace(state_file: Path) -> None:
    copy = state_file.with_name("copy.sqlite")
    shutil.copyfile(state_file, copy)
    os.replace(copy, state_file)


@pytest.mark.parametrize(("hook", "expected"), [
    (_delete, "was deleted while this run was using it"),
    (_replace, "was replaced by another file while this run was using it"),
])
def test_a_state_file_deleted_or_replaced_mid_run_is_not_reported_as_success(
    tmp_path: Path, feed: object, hook: Callable[[Path], None], expected: str,
) -> None:
    config = write_project(tmp_path / "p", feed.url("/tech.xml"))  # type: ignore[attr-defined]
    state_file = tmp_path / "p" / "state" / "state.sqlite"
    with pytest.raises(StateError) as info:
        _run_with_hook(config, tmp_path / "out", hook)
    assert info.value.exit_code == 3
    assert str(info.value).startswith(f"{state_file} {expected}") and "\n" not in str(info.value)
    assert "nothing this run learned was saved" in str(info.value)
    if state_file.exists():
        assert history_rows(state_file) == 0, "the replacement was not written behind the run's back"


def test_a_state_file_deleted_before_sending_sends_nothing(tmp_path: Path, feed: object,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_project(tmp_path / "p", feed.url("/tech.xml"))  # type: ignore[attr-defined]
    with smtp_server() as srv:
        for name, value in {"DIGEST_TO": "alice@example.com", "DIGEST_SMTP_HOST": "127.0.0.1",
                            "DIGEST_SMTP_PORT": str(srv.port), "DIGEST_SMTP_SECURITY": "none"}.items():
            monkeypatch.setenv(name, value)
        with pytest.raises(StateError) as info:
            _run_with_hook(config, tmp_path / "out", _delete, send=True)
    assert "was deleted" in str(info.value)
    assert srv.handler.messages == [], "a ledger written into a deleted file would mean sending it all again"


def test_the_command_exits_3_when_the_state_file_goes_away(tmp_path: Path) -> None:
    state_file = tmp_path / "p" / "state" / "state.sqlite"
    body = (DATA / "tech.rss.xml").read_bytes()

    def deleting(ex: Exchange) -> None:  # the run has the state open while it fetches
        state_file.unlink(missing_ok=True)
        ex.send(200, body, {"Content-Type": "application/rss+xml"})

    with raw_server(routes={"/tech.xml": deleting}) as server:
        config = write_project(tmp_path / "p", server.url("/tech.xml"))
        result = digest_command(config, tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert "was deleted while this run was using it" in result.stderr
    assert "Traceback" not in result.stderr and "wrote " not in result.stdout


# ---------------------------------------------------------------------------- a damaged page


def test_a_damaged_page_is_one_line_with_exit_3(tmp_path: Path, feed: object) -> None:
    config = write_project(tmp_path / "p", feed.url("/tech.xml"))  # type: ignore[attr-defined]
    state_file = tmp_path / "p" / "state" / "state.sqlite"
    state = open_state(state_file)
    with state.transaction() as conn:  # enough rows for the table to span many pages
        conn.executemany("INSERT INTO first_seen VALUES (?, ?, ?)",
                         [(f"https://example.com/item/{n:06d}", float(n), float(n)) for n in range(4000)])
    state.close()
    with closing(sqlite3.connect(state_file)) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    raw = bytearray(state_file.read_bytes())
    assert len(raw) > 12 * page
    for number in (6, 7, 8):  # inside the table, away from the schema on page 1
        raw[number * page:(number + 1) * page] = bytes(range(256)) * (page // 256)
    state_file.write_bytes(bytes(raw))

    result = digest_command(config, tmp_path / "out")
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{state_file}:" in lines[0] and "damaged" in lines[0] and ".recover" in lines[0]
    assert "move it away" not in lines[0]
    assert sorted(p.name for p in state_file.parent.iterdir()) == ["state.sqlite", "state.sqlite.lock"]


# ---------------------------------------------------------------------------- read-only


def _first_run(tmp_path: Path, feed: object) -> tuple[Path, Path]:
    config = write_project(tmp_path / "p", feed.url("/tech.xml"))  # type: ignore[attr-defined]
    first = digest_command(config, tmp_path / "out1")
    assert first.returncode == 0, first.stderr
    return config, tmp_path / "p" / "state" / "state.sqlite"


def _sidecars(state_file: Path) -> list[str]:
    return sorted(p.name for p in state_file.parent.iterdir() if p.name.endswith(("-wal", "-shm")))


def test_a_read_only_state_file_says_what_to_fix_and_never_to_throw_it_away(tmp_path: Path, feed: object) -> None:
    config, state_file = _first_run(tmp_path, feed)
    before = history_rows(state_file)
    state_file.chmod(0o444)
    result = digest_command(config, tmp_path / "out2", unprivileged=True)
    assert result.returncode == 3, result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert f"{state_file}: the state file is read-only for this user (mode -r--r--r--" in message
    assert f"chmod u+rw {state_file}" in message and "keep the file" in message
    assert "move it away" not in message and "empty state" not in message
    assert _sidecars(state_file) == [], "no -wal/-shm left behind with the read-only file's mode"
    state_file.chmod(0o644)
    again = digest_command(config, tmp_path / "out3", unprivileged=True)
    assert again.returncode == 0, again.stderr
    assert history_rows(state_file) >= before


def test_a_read_only_state_folder_is_named(tmp_path: Path, feed: object) -> None:
    config, state_file = _first_run(tmp_path, feed)
    folder = state_file.parent
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = digest_command(config, tmp_path / "out2", unprivileged=True)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 3, result.stderr
    assert f"{folder}: the state file's folder is not writable for this user" in result.stderr
    assert "state.sqlite-wal" in result.stderr and "move it away" not in result.stderr
    assert _sidecars(state_file) == []
