"""Fetching bytes from the world: HTTP(S) with limits and conditional GET, and local files.

The only module (with `state` and `deliver`) that does I/O.  Every failure comes back as a
`FetchResult` with status "error" and a one-line reason; nothing here raises to the caller.
httpx is imported on first use, so importing this package (and `digest --help`) stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .result import FetchRequest, FetchResult, FetchStatus

if TYPE_CHECKING:
    from ..config import FetchSettings
    from .guard import Resolver

__all__ = ["FetchRequest", "FetchResult", "FetchStatus", "fetch_all"]


def fetch_all(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    *,
    on_result: Callable[[FetchResult], None] | None = None,
    resolve: Resolver | None = None,
) -> list[FetchResult]:
    """Fetch all requests concurrently; one result per request, in request order; never raises.

    Runs an event loop on the calling thread (on a thread of its own if the caller is inside one)
    until every request is done.  `on_result` is called once per request as it finishes, inside
    that loop: it must be quick (collect hands the body to
    a parser process there).  An exception in it is logged, and the run goes on.  Requests still
    running at `settings.deadline` end as errors "timed out (run deadline)".  `resolve` looks host
    names up (default: the system's resolver).
    """
    import asyncio  # here, not at the top: parser processes import this package and never fetch

    from .engine import fetch_many
    from .guard import system_resolve

    def fetch() -> list[FetchResult]:
        return asyncio.run(fetch_many(requests, settings, on_result, resolve or system_resolve))

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop here
        in_a_loop = False
    else:
        in_a_loop = True
    if not in_a_loop:  # (outside the except block: errors of the fetch must not chain to that one)
        return fetch()
    # called from inside an event loop (a notebook, a browser test): ours runs on a thread of its own
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="digest-fetch") as thread:
        return thread.submit(fetch).result()
