"""The run's deadline as long CPU work sees it: a cheap check between pieces of parsing.

Fetches are cancelled by the event loop when the deadline comes.  Parsing cannot be stopped from
outside (a thread cannot be interrupted, a worker process is busy), so the parser asks between
pieces of work: before each 64 KB chunk expat reads, before each entry is normalized.  Past the
deadline it raises `PastDeadline`, and the source ends as "timed out (run deadline)", its items
unused.  The deadline is wall-clock time, so a parser process reads it the same way as the run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .errors import ParseError

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
