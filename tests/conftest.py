"""Shared fixtures: a real HTTP server on 127.0.0.1, the corpus folder, a config writer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path

import pytest

from digest import collect as collect_module
from tests.support.http import LocalServer, local_server
from tests.support.paths import CORPUS


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A threaded HTTP server on a free loopback port, stopped after the test."""
    with local_server() as server:
        yield server


@pytest.fixture
def corpus() -> Path:
    """../shared/corpus next to the checkout; tests that need it skip cleanly without it."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present (only CI and dev machines have it)")
    return CORPUS


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a feeds.yaml into tmp_path (state goes there too) and return its path."""

    def write(text: str, name: str = "feeds.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def sent_to_processes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the bodies collect hands to its parser processes."""
    sent: list[int] = []
    real_processes = collect_module._parser_processes

    @contextmanager
    def counting(workers: int) -> Iterator[Executor | None]:
        with real_processes(workers) as pool:
            if pool is not None:
                submit = pool.submit

                def counted(*args: object, **kwargs: object) -> object:
                    if args and args[0] is collect_module.parse_body:
                        sent.append(1)
                    return submit(*args, **kwargs)  # type: ignore[arg-type]

                pool.submit = counted  # type: ignore[method-assign]
            yield pool

    monkeypatch.setattr(collect_module, "_parser_processes", counting)
    return sent
