"""The timer that stops feedparser at the run's deadline leaves other users of SIGALRM as it found them."""

from __future__ import annotations

import logging
import signal
import threading
import time

import pytest

from digest import deadline
from digest.deadline import PastDeadline, interrupted_at_deadline, parsing_until


def test_a_block_past_the_deadline_is_interrupted() -> None:
    started = time.monotonic()
    with pytest.raises(PastDeadline), parsing_until(time.time() + 0.2), interrupted_at_deadline():
        while True:  # stands for feedparser, which never asks
            sum(range(1000))
    assert time.monotonic() - started < 2.0


def test_a_timer_already_set_is_put_back() -> None:
    fired: list[int] = []

    def theirs(signum: int, frame: object) -> None:
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, theirs)
    before = signal.setitimer(signal.ITIMER_REAL, 50.0)
    try:
        with parsing_until(time.time() + 10), interrupted_at_deadline():
            pass
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert signal.getsignal(signal.SIGALRM) is theirs
        assert 45.0 < remaining <= 50.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, *before)
        signal.signal(signal.SIGALRM, previous)
    assert fired == []


def test_off_the_main_thread_the_block_runs_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    ran: list[int] = []
    deadline._say_no_timer.cache_clear()

    def parse_twice() -> None:
        for _ in range(2):
            with parsing_until(time.time() + 10), interrupted_at_deadline():
                ran.append(1)

    with caplog.at_level(logging.INFO, logger="digest.deadline"):
        thread = threading.Thread(target=parse_twice)
        thread.start()
        thread.join()
    assert ran == [1, 1]
    said = [r for r in caplog.records if "off the main thread" in r.getMessage()]
    assert len(said) == 1, "once per process, not once per feed"
