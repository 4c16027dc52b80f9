"""Failure memory in a real SQLite state file: streaks, calendar days, and the week-long list."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from digest.state import open_state
from digest.state.failures import SCHEMA, failing, failing_days, failing_since, forget, record_results

DAY1 = datetime(2024, 6, 1, 7, 0, tzinfo=UTC)


def _connect(path: Path) -> sqlite3.Connection:
    """The table on its own in a real SQLite file (the whole store is exercised at the end)."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    return conn


def _run(path: Path, outcomes: list[tuple[str, bool, str | None]], now: datetime) -> None:
    with closing(_connect(path)) as conn, conn:
        record_results(conn, outcomes, now=now)


def _days(path: Path, now: datetime) -> dict[str, int]:
    with closing(_connect(path)) as conn:
        return failing_days(conn, now=now)


def test_a_streak_counts_calendar_days_and_ends_on_success(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    for day in range(4):
        # the daily job drifts a few minutes earlier each day: still one more day
        now = DAY1 + timedelta(days=day, minutes=-7 * day)
        _run(db, [("dead", False, "HTTP 404 Not Found"), ("fine", True, None), ("flaky", day % 2 == 1, "timed out after 30s")], now)
    now = DAY1 + timedelta(days=3)
    assert _days(db, now) == {"dead": 3}
    with closing(_connect(db)) as conn:
        [dead] = failing(conn, now=now)
    assert (dead.failures, dead.last_error, dead.label) == (4, "HTTP 404 Not Found", "failing for 4 days")
    assert dead.first_failed_at == DAY1 and dead.last_ok_at is None
    _run(db, [("dead", True, None)], now + timedelta(days=1))
    assert _days(db, now + timedelta(days=1)) == {}


def test_not_modified_counts_as_healthy(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    _run(db, [("s", False, "connection refused")], DAY1)
    _run(db, [("s", True, None)], DAY1 + timedelta(hours=1))  # the pipeline passes 304 as ok
    assert _days(db, DAY1 + timedelta(days=2)) == {}


def test_days_follow_the_time_zone_of_now(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    shanghai = ZoneInfo("Asia/Shanghai")
    _run(db, [("s", False, "HTTP 500 Internal Server Error")], datetime(2024, 6, 1, 23, 30, tzinfo=shanghai))
    # 30 minutes later it is another day in Shanghai (though not in UTC)
    assert _days(db, datetime(2024, 6, 2, 0, 0, tzinfo=shanghai)) == {"s": 1}
    assert _days(db, datetime(2024, 6, 1, 16, 0, tzinfo=UTC)) == {"s": 0}


@pytest.mark.parametrize(("days", "expected"), [(7, ["week"]), (3, ["week", "three"]), (0, ["week", "three", "today"])])
def test_failing_since_lists_long_streaks_longest_first(tmp_path: Path, days: int, expected: list[str]) -> None:
    db = tmp_path / "state.sqlite"
    now = DAY1 + timedelta(days=10)
    _run(db, [("week", False, "DNS lookup failed for x.invalid")], now - timedelta(days=8))
    _run(db, [("three", False, "HTTP 403 Forbidden")], now - timedelta(days=3))
    _run(db, [("today", False, "connection refused"), ("ok", True, None)], now)
    with closing(_connect(db)) as conn:
        assert [f.source for f in failing_since(conn, days, now=now)] == expected


def test_forget_drops_sources_no_longer_configured(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    _run(db, [("gone", False, "HTTP 410 Gone"), ("kept", False, "HTTP 500 Internal Server Error")], DAY1)
    with closing(_connect(db)) as conn:
        with conn:
            assert forget(conn, ["kept"]) == 1
        assert failing_days(conn, now=DAY1) == {"kept": 0}


def test_in_the_state_store_a_rolled_back_run_records_nothing(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    state = open_state(db)
    with pytest.raises(RuntimeError), state.transaction() as conn:
        record_results(conn, [("s", False, "HTTP 500 Internal Server Error")], now=DAY1)
        raise RuntimeError("crash before commit")
    assert failing_days(state.conn, now=DAY1) == {}
    state.close()
