"""The run's deadline as long CPU work sees it: a cheap check between pieces of parsing.

Fetches are cancelled by the event loop when the deadline comes.  Parsing is stopped in two ways:
normalizing asks between entries (`check`), and feedparser, which cannot be asked, is interrupted
by a timer signal (`interrupted_at_deadline`).  Past the deadline `PastDeadline` is raised, and the
source ends as "timed out (run deadline)", its items unused.  The deadline is wall-clock time, so
a parser process reads it the same way as the run.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import ParseError

log = logging.getLogger(__name__)

RUN_DEADLINE = "timed out (run deadline)"
_until: ContextVar[float | None] = ContextVar("digest_parse_deadline", default=None)


class PastDeadline(ParseError):
    """The run's deadline passed while this source was still being parsed."""

    def __init__(self) -> None:
        super().__init__(RUN_DEADLINE)


@contextmanager
def parsing_until(when: float | None) -> Iterator[None]:
    """Parsing inside this block stops at `when` (a time.time() value; None: no deadline)."""
    token = _until.set(when)
    try:
        yield
    finally:
        _until.reset(token)


def check() -> None:
    """Raise PastDeadline if the deadline of the parse under way has passed."""
    when = _until.get()
    if when is not None and time.time() >= when:
        raise PastDeadline


class _Alarm(BaseException):
    """Raised by the timer inside feedparser: a BaseException, so its `except Exception` (which
    would go on with its loose parser) lets it through."""


@contextmanager
def interrupted_at_deadline() -> Iterator[None]:
    """Code inside this block is interrupted with PastDeadline when the deadline of the parse under way passes.

    Uses SIGALRM, so only on the main thread of a process (collect parses there, and so do parser
    processes); elsewhere, or without a deadline, the block simply runs.  A timer already set (a
    test runner's time-out) is put back afterwards, less the time spent here.
    """
    when = _until.get()
    if when is None:
        yield
        return
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        _say_no_timer()
        yield
        return
    check()

    def alarm(signum: int, frame: object) -> None:
        raise _Alarm

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, alarm)
    earlier, interval = signal.setitimer(signal.ITIMER_REAL, max(when - time.time(), 0.001))
    try:
        yield
    except _Alarm:
        raise PastDeadline from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if earlier:
            signal.setitimer(signal.ITIMER_REAL, max(earlier - (time.monotonic() - started), 0.001), interval)


@functools.cache
def _say_no_timer() -> None:
    """Once per process: here the deadline only stops a parse between entries."""
    log.info("parsing off the main thread (or without SIGALRM): a feed stops at the run's deadline "
             "only between entries, not inside feedparser")
