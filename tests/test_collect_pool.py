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

from digest import parse_pool
from digest.collect import Collected, collect
from digest.config import Config, ConfigError, FetchSettings, load_config
from tests.conftest import LocalServer
from tests.test_core_pipeline import config_text, serve_fixtures

NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)


@pytest.fixture
def config(http_server: LocalServer, write_config: Callable[[str], Path]) -> Config:
    return load_config(write_config(config_text(serve_fixtures(http_server))))


def run_collect(config: Config, workers: int) -> Collected:
    return collect(config, {}, FetchSettings(parse_workers=workers), now=NOW)


@pytest.mark.parametrize(
    ("setting", "sources", "cpus", "expected"),
    [
        (None, 500, 2, 2),  # a big run: one worker per CPU
        (None, 500, 32, parse_pool.AUTO_MAX_WORKERS),
        (None, parse_pool.AUTO_MIN_SOURCES - 1, 8, 0),  # a small run parses in-process
        (None, 500, 1, 0),  # one CPU: a worker could only take turns with the fetcher
        (3, 1, 1, 3),  # the user's number wins
        (0, 500, 8, 0),
    ],
)
def test_worker_count(monkeypatch: pytest.MonkeyPatch, setting: int | None, sources: int, cpus: int, expected: int) -> None:
    monkeypatch.setattr(parse_pool, "usable_cpus", lambda: cpus)
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


def test_workers_give_the_same_outcome_as_parsing_in_process(config: Config) -> None:
    inline = run_collect(config, 0)
    pooled = run_collect(config, 2)
    assert len(inline.items) >= 8, "the fixtures must give the workers something to do"
    assert pooled.items == inline.items  # same Items, same order (config order, then feed order)
    assert pooled.results == inline.results  # incl. the broken feed and the HTML page, with their reasons
    assert pooled.validators == inline.validators
    assert {r.status for r in pooled.results} == {"ok", "error"}
    # the untrusted content travels raw and is sanitized when read
    assert all("<script" not in item.html.lower() for item in pooled.items)


def _dying_pool(workers: int) -> ProcessPoolExecutor:
    """A real pool whose workers exit as they start, as an out-of-memory kill would end them."""
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=os._exit, initargs=(7,))


def test_a_dead_worker_loses_no_source(config: Config, monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    expected = run_collect(config, 0)
    monkeypatch.setattr(parse_pool, "start_pool", _dying_pool)
    with caplog.at_level(logging.WARNING, logger="digest.collect"):
        got = run_collect(config, 2)
    assert got.items == expected.items and got.results == expected.results
    assert got.validators == expected.validators
    died = [r for r in caplog.records if "parser process died" in r.getMessage()]
    assert len(died) == 1, "one warning for the run, not one per source"


def test_no_pool_when_the_main_script_cannot_be_reimported(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.modules["__main__"], "__file__", "/nonexistent/<stdin>", raising=False)
    assert parse_pool.start_pool(2) is None
