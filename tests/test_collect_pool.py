"""Parsing in worker processes: same outcome as parsing in-process, and a dead worker loses nothing."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import collect as collect_module
from digest import parse_pool
from digest.collect import Collected, collect
from digest.config import Config, ConfigError, FetchSettings, load_config
from tests.conftest import LocalServer
from tests.test_core_pipeline import config_text, serve_fixtures

NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)
_real_start_pool = parse_pool.start_pool


@pytest.fixture
def config(http_server: LocalServer, write_config: Callable[[str], Path]) -> Config:
    return load_config(write_config(config_text(serve_fixtures(http_server))))


def run_collect(config: Config, workers: int) -> Collected:
    return collect(config, {}, FetchSettings(parse_workers=workers), now=NOW)


@pytest.mark.parametrize(
    ("setting", "sources", "cpus", "allowed", "expected"),
    [
        (None, 500, 2, True, 2),  # a big run of the digest command: one worker per CPU
        (None, 500, 32, True, parse_pool.AUTO_MAX_WORKERS),
        (None, parse_pool.AUTO_MIN_SOURCES - 1, 8, True, 0),  # a small run parses in-process
        (None, 500, 1, True, 0),  # one CPU: a worker could only take turns with the fetcher
        (None, 500, 8, False, 0),  # digest called as a library: its caller decides
        (3, 1, 1, False, 3),  # the user's number wins
        (0, 500, 8, True, 0),
    ],
)
def test_worker_count(monkeypatch: pytest.MonkeyPatch, setting: int | None, sources: int, cpus: int,
                      allowed: bool, expected: int) -> None:
    monkeypatch.setattr(parse_pool, "usable_cpus", lambda: cpus)
    monkeypatch.setattr(parse_pool, "_auto_allowed", allowed)
    assert parse_pool.worker_count(setting, sources) == expected


@pytest.mark.parametrize(("value", "expected"), [("auto", None), ("AUTO", None), (0, 0), (4, 4), ("2", 2)])
def test_parse_workers_setting(write_config: Callable[[str], Path], value: object, expected: int | None) -> None:
    path = write_config(f"fetch:\n  parse_workers: {value}\nsources:\n  - name: a\n    url: https://a.example/feed\n")
    assert load_config(path).fetch.parse_workers == expected


@pytest.mark.parametrize("value", ["many", -1, 65, "true"])
def test_parse_workers_mistakes_are_one_line(write_config: Callable[[str], Path], value: object) -> None:
    path = write_config(f"fetch:\n  parse_workers: {value}\nsources:\n  - name: a\n    url: https://a.example/feed\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "fetch.parse_workers" in message and "or auto" in message and "\n" not in message


@pytest.fixture
def pool_ready_at_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Wait for the workers instead of parsing in-process while they start (a local server
    answers before they are up), and count the bodies sent to them."""
    sent: list[int] = []
    real_get = collect_module._Workers.get

    def get(self: collect_module._Workers) -> parse_pool.Pool | None:
        real_get(self)
        if self.starter is not None:
            self.starter.join()
        if self.pool is not None and not hasattr(self.pool.executor, "counted"):
            submit = self.pool.executor.submit

            def counted(*args: object, **kwargs: object) -> object:
                sent.append(1)
                return submit(*args, **kwargs)  # type: ignore[arg-type]

            self.pool.executor.submit = counted  # type: ignore[method-assign]
            self.pool.executor.counted = True  # type: ignore[attr-defined]
        return self.pool

    monkeypatch.setattr(collect_module._Workers, "get", get)
    return sent


def test_workers_give_the_same_outcome_as_parsing_in_process(config: Config, pool_ready_at_once: list[int]) -> None:
    inline = run_collect(config, 0)
    assert not pool_ready_at_once
    pooled = run_collect(config, 2)
    assert 5 <= len(pool_ready_at_once) < len(pooled.results), "every body that arrived went to the workers"
    assert len(inline.items) >= 8, "the fixtures must give the workers something to do"
    assert pooled.items == inline.items  # same Items, same order (config order, then feed order)
    assert pooled.results == inline.results  # incl. the broken feed and the HTML page, with their reasons
    assert pooled.validators == inline.validators
    assert {r.status for r in pooled.results} == {"ok", "error"}
    # the untrusted content travels raw and is sanitized when read
    assert all("<script" not in item.html.lower() for item in pooled.items)


def _dying_pool(workers: int) -> parse_pool.Pool:
    """A real pool whose workers exit as they start, as an out-of-memory kill would end them."""
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    return parse_pool.Pool(ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=os._exit, initargs=(7,)))


def _failing_submit_pool(workers: int) -> parse_pool.Pool | None:
    """A working pool that cannot take the second body (a worker that cannot be started)."""
    pool = _real_start_pool(workers)
    assert pool is not None
    submit, calls = pool.executor.submit, []

    def flaky(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(24, "Too many open files")
        return submit(*args, **kwargs)  # type: ignore[arg-type]

    pool.executor.submit = flaky  # type: ignore[method-assign]
    return pool


@pytest.mark.parametrize("make_pool", [_dying_pool, _failing_submit_pool])
def test_a_failing_worker_loses_no_source(config: Config, monkeypatch: pytest.MonkeyPatch, pool_ready_at_once: list[int],
                                          caplog: pytest.LogCaptureFixture, make_pool: Callable[[int], object]) -> None:
    expected = run_collect(config, 0)
    monkeypatch.setattr(parse_pool, "start_pool", make_pool)
    with caplog.at_level(logging.WARNING, logger="digest.collect"):
        got = run_collect(config, 2)
    assert pool_ready_at_once, "bodies went to the pool before it failed"
    assert got.items == expected.items and got.results == expected.results
    assert got.validators == expected.validators
    failed = [r for r in caplog.records if "parser process failed" in r.getMessage()]
    assert len(failed) == 1, "one warning for the run, not one per source"


@pytest.mark.parametrize("workers", [0, 2])
def test_a_failing_progress_callback_loses_no_source(config: Config, workers: int, pool_ready_at_once: list[int]) -> None:
    expected = run_collect(config, 0)

    def broken(result: object) -> None:
        raise RuntimeError("the terminal went away")

    got = collect(config, {}, FetchSettings(parse_workers=workers), now=NOW, on_source=broken)
    assert got.results == expected.results and got.items == expected.items


def test_workers_ignore_ctrl_c_and_log_through_the_main_process(caplog: pytest.LogCaptureFixture) -> None:
    import signal

    pool = parse_pool.start_pool(1)
    assert pool is not None
    try:
        assert pool.executor.submit(os.getpid).result() != os.getpid()
        assert pool.executor.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_IGN
        with caplog.at_level(logging.WARNING, logger="digest"):
            pool.executor.submit(logging.getLogger("digest.sources").warning, "from a worker: %s", "hello").result()
    finally:
        pool.stop()  # stopping the relay hands over every record sent before
    assert any(r.getMessage() == "from a worker: hello" for r in caplog.records)


def test_no_pool_when_the_main_script_cannot_be_reimported(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.modules["__main__"], "__file__", "/nonexistent/<stdin>", raising=False)
    assert parse_pool.start_pool(2) is None


@pytest.mark.parametrize("validated", [True, False])
def test_when_the_workers_start(config: Config, monkeypatch: pytest.MonkeyPatch, validated: bool) -> None:
    """Sources without validators will send bodies: the workers start before the first request.
    When every source sends validators and answers 304, they never start at all."""
    import digest.fetch
    from digest.fetch import FetchResult
    from digest.state.http_cache import Validators

    events: list[str] = []
    real_get = collect_module._Workers.get

    def get(self: collect_module._Workers) -> parse_pool.Pool | None:
        if self.starter is None:
            events.append("start")
        pool = real_get(self)
        assert self.starter is not None
        self.starter.join()
        return pool

    def fetch_all(requests: list[object], settings: object, *, on_result: Callable[[FetchResult], None]) -> list[FetchResult]:
        events.append("fetch")
        results = [FetchResult(r.key, r.url, "not_modified", etag=r.etag) for r in requests]  # type: ignore[attr-defined]
        for result in results:
            on_result(result)
        return results

    monkeypatch.setattr(collect_module._Workers, "get", get)
    monkeypatch.setattr(parse_pool, "start_pool", lambda workers: None)  # then parse in-process
    monkeypatch.setattr(digest.fetch, "fetch_all", fetch_all)
    validators = {s.url: Validators(etag='"v1"') for s in config.sources} if validated else {}
    got = collect(config, validators, FetchSettings(parse_workers=2), now=NOW)
    assert {r.status for r in got.results} == {"not_modified"}
    assert events == (["fetch"] if validated else ["start", "fetch"])


def test_what_the_main_script_imports_is_imported_once_for_all_workers(tmp_path: Path) -> None:
    """Each worker runs the main script again (as with any multiprocessing); the modules it imports,
    declared to allow_auto, come loaded from the forkserver instead of being imported per worker."""
    import subprocess
    import sys

    log = tmp_path / "imports.txt"
    (tmp_path / "heavy_module.py").write_text(f"import os\nopen({str(log)!r}, 'a').write(f'module {{os.getpid()}}\\n')\n")
    script = tmp_path / "main_script.py"
    script.write_text(f"""
import os, sys, time
import heavy_module
open({str(log)!r}, "a").write(f"script {{os.getpid()}}\\n")

def meet(folder):
    # each task waits until two workers hold one: so two worker processes are started
    open(os.path.join(folder, str(os.getpid())), "w").close()
    deadline = time.monotonic() + 60
    while len(os.listdir(folder)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.getpid()

if __name__ == "__main__":
    from digest import parse_pool
    parse_pool.allow_auto(main_imports=["heavy_module"])
    pool = parse_pool.start_pool(2)
    assert pool is not None
    os.mkdir({str(tmp_path / "met")!r})
    print(len(set(pool.executor.map(meet, [{str(tmp_path / "met")!r}] * 2))))
    pool.stop()
""")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True,
                         cwd=tmp_path)
    assert out.stdout.strip() == "2"  # two worker processes ran the tasks
    runs = log.read_text().split("\n")
    assert sum(line.startswith("script") for line in runs) == 3  # the main process and each worker
    assert sum(line.startswith("module") for line in runs) == 2  # the main process and the forkserver
