"""Parsing in parser processes: same outcome as parsing in-process, and a dead worker loses nothing."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest import collect as collect_module
from digest.collect import Collected, collect
from digest.config import Config, ConfigError, FetchSettings, load_config
from tests.support.core_feeds import config_text, serve_fixtures
from tests.support.http import LocalServer

NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)
_real_processes = collect_module._parser_processes


@pytest.fixture
def config(http_server: LocalServer, write_config: Callable[[str], Path]) -> Config:
    return load_config(write_config(config_text(serve_fixtures(http_server))))


def run_collect(config: Config, workers: int) -> Collected:
    return collect(config, {}, FetchSettings(parse_workers=workers), now=NOW)


@pytest.mark.parametrize(
    ("setting", "sources", "cpus", "expected"),
    [
        (None, 500, 2, 2),  # a big run: one process per CPU
        (None, 500, 32, collect_module.AUTO_MAX_WORKERS),
        (None, collect_module.AUTO_MIN_SOURCES - 1, 8, 0),  # a small run parses in-process
        (None, 500, 1, 0),  # one CPU: a process could only take turns with the fetcher
        (3, 1, 1, 3),  # the user's number wins
        (0, 500, 8, 0),
    ],
)
def test_worker_count(monkeypatch: pytest.MonkeyPatch, setting: int | None, sources: int, cpus: int,
                      expected: int) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)))
    assert collect_module.worker_count(setting, sources) == expected


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


def test_workers_give_the_same_outcome_as_parsing_in_process(config: Config, sent_to_processes: list[int]) -> None:
    inline = run_collect(config, 0)
    assert not sent_to_processes
    pooled = run_collect(config, 2)
    assert 5 <= len(sent_to_processes) < len(pooled.results), "every body that arrived went to the processes"
    assert len(inline.items) >= 8, "the fixtures must give the workers something to do"
    assert pooled.items == inline.items  # same Items, same order (config order, then feed order)
    assert pooled.results == inline.results  # incl. the broken feed and the HTML page, with their reasons
    assert pooled.validators == inline.validators
    assert {r.status for r in pooled.results} == {"ok", "error"}


@contextmanager
def _dying_pool(workers: int) -> Iterator[Executor]:
    """A real pool whose workers exit as they start, as an out-of-memory kill would end them."""
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=os._exit, initargs=(7,)) as pool:
        yield pool


@contextmanager
def _failing_submit_pool(workers: int) -> Iterator[Executor]:
    """A working pool that cannot take the second body (a worker that cannot be started)."""
    with _real_processes(workers) as pool:
        assert pool is not None
        submit, calls = pool.submit, []

        def flaky(*args: object, **kwargs: object) -> object:
            calls.append(args[0] is collect_module.parse_body)
            if sum(calls) == 2 and calls[-1]:
                raise OSError(24, "Too many open files")
            return submit(*args, **kwargs)  # type: ignore[arg-type]

        pool.submit = flaky  # type: ignore[method-assign]
        yield pool


@pytest.mark.parametrize("make_pool", [_dying_pool, _failing_submit_pool])
def test_a_failing_worker_loses_no_source(config: Config, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture, make_pool: Callable[[int], object]) -> None:
    expected = run_collect(config, 0)
    monkeypatch.setattr(collect_module, "_parser_processes", make_pool)
    with caplog.at_level(logging.WARNING, logger="digest.collect"):
        got = run_collect(config, 2)
    assert got.items == expected.items and got.results == expected.results
    assert got.validators == expected.validators
    failed = [r for r in caplog.records if "parser process failed" in r.getMessage()]
    assert len(failed) == 1, "one warning for the run, not one per source"


@pytest.mark.parametrize("workers", [0, 2])
def test_a_failing_progress_callback_loses_no_source(config: Config, workers: int) -> None:
    expected = run_collect(config, 0)

    def broken(result: object) -> None:
        raise RuntimeError("the terminal went away")

    got = collect(config, {}, FetchSettings(parse_workers=workers), now=NOW, on_source=broken)
    assert got.results == expected.results and got.items == expected.items


def test_no_processes_start_when_every_source_answers_304(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    import digest.fetch
    from digest.fetch import FetchResult
    from digest.state.http_cache import Validators

    def fetch_all(requests: list[object], settings: object, *, on_result: Callable[[FetchResult], None]) -> list[FetchResult]:
        results = [FetchResult(r.key, r.url, "not_modified", etag=r.etag) for r in requests]  # type: ignore[attr-defined]
        for result in results:
            on_result(result)
        return results

    started: list[int] = []
    real_init = ProcessPoolExecutor._adjust_process_count

    def counting(self: ProcessPoolExecutor) -> None:
        started.append(1)
        real_init(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(ProcessPoolExecutor, "_adjust_process_count", counting)
    monkeypatch.setattr(digest.fetch, "fetch_all", fetch_all)
    validators = {s.url: Validators(etag='"v1"') for s in config.sources}
    got = collect(config, validators, FetchSettings(parse_workers=2), now=NOW)
    assert {r.status for r in got.results} == {"not_modified"}
    assert not started
