"""Fixtures of the delivery tests: a plain aiosmtpd server on 127.0.0.1 and a real state file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.state import open_state
from tests.support.smtp import SmtpServer, smtp_server


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server("plain") as srv:
        yield srv


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    state = open_state(tmp_path / "state.sqlite")
    yield state.conn
    state.close()
