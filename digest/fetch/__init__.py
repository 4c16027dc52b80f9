"""Fetching bytes from the world: HTTP(S) with limits and conditional GET, and local files.

The only module (with `state` and `deliver`) that does I/O.  Every failure comes back as a
`FetchResult` with status "error" and a one-line reason; nothing here raises to the caller.
httpx is imported on first use, so importing this package (and `digest --help`) stays fast.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .result import FetchRequest, FetchResult, FetchStatus

if TYPE_CHECKING:
    from ..config import FetchSettings
    from .guard import Resolver

__all__ = ["FetchRequest", "FetchResult", "FetchStatus", "fetch_all", "fetch_all_async"]

log = logging.getLogger("digest.fetch")


async def fetch_all_async(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    *,
    on_result: Callable[[FetchResult], None] | None = None,
    resolve: Resolver | None = None,
) -> list[FetchResult]:
    """Fetch all requests concurrently, for callers already in an event loop (on_result runs in it)."""
    from .engine import fetch_many
    from .guard import system_resolve

    return await fetch_many(requests, settings, on_result, resolve or system_resolve)


def fetch_all(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    *,
    on_result: Callable[[FetchResult], None] | None = None,
    resolve: Resolver | None = None,
) -> list[FetchResult]:
    """Fetch all requests concurrently; one result per request, in request order; never raises.

    `on_result` is called once per request as it finishes, on the calling thread, while the
    event loop goes on fetching in a worker thread: a slow callback (parsing the feed) overlaps
    the network and cannot eat into the per-request deadlines.  An exception in it is logged,
    and the run goes on.  Requests still running at `settings.deadline` end as errors
    "timed out (run deadline)".  `resolve` looks host names up (default: the system's resolver).
    """
    import asyncio  # here, not at the top: parser processes import this package and never fetch

    from .engine import fetch_many
    from .guard import system_resolve

    done: queue.SimpleQueue[FetchResult | None] = queue.SimpleQueue()
    outcome: dict[str, Any] = {}

    async def main() -> list[FetchResult]:
        outcome["loop"] = asyncio.get_running_loop()
        outcome["task"] = asyncio.current_task()
        return await fetch_many(requests, settings, done.put, resolve or system_resolve)

    def worker() -> None:
        try:
            outcome["results"] = asyncio.run(main())
        except BaseException as exc:  # handed to the calling thread below
            outcome["error"] = exc
        finally:
            done.put(None)

    thread = threading.Thread(target=worker, name="digest-fetch", daemon=True)
    thread.start()
    try:
        while (result := done.get()) is not None:
            if on_result is not None:
                try:
                    on_result(result)
                except Exception:  # a broken progress display must not lose fetched sources
                    log.exception("on_result callback failed for %s", result.key)
    except BaseException:  # Ctrl-C while waiting: stop the fetches, then let it propagate
        loop, task = outcome.get("loop"), outcome.get("task")
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)
        thread.join(5.0)
        raise
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    results: list[FetchResult] = outcome["results"]
    return results
