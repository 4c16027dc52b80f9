"""Worker processes that parse and normalize feeds while the event loop goes on fetching.

Parsing is CPU work in pure Python (feedparser's SAX handlers, the sanitizer, dates), so threads
cannot share it out; processes can.  A pool only pays off for a run with many sources: starting
it costs a fraction of a second (done in the background while the first requests are in
flight), and each body travels to a worker and its Items travel back pickled.

Workers come from a forkserver that has already imported the parser, so each one starts in
milliseconds and forking never copies the fetcher's threads or locks.  If processes cannot be
started at all (a locked-down container), or a worker dies, the caller parses in-process.
A program that calls digest as a library starts workers too, so like any multiprocessing user
its main script needs the `if __name__ == "__main__":` guard (or set `fetch.parse_workers: 0`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

from .config import Source
from .models import Item, SourceResult

log = logging.getLogger(__name__)

# Below this many sources the pool's start-up is not won back (about 20 ms of parsing per feed
# against ~0.3 s to start a worker that has imported feedparser, lxml and nh3).
AUTO_MIN_SOURCES = 24
AUTO_MAX_WORKERS = 8
# what every worker needs, imported once by the forkserver instead of once per worker
_PRELOAD = ("digest.collect", "digest.sources", "digest.sources.feed", "feedparser", "lxml.html")


def usable_cpus() -> int:
    """CPUs this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def worker_count(setting: int | None, sources: int) -> int:
    """Processes to start: `setting` when the user chose one, else one per CPU for a big run."""
    if setting is not None:
        return setting
    cpus = usable_cpus()
    if cpus < 2 or sources < AUTO_MIN_SOURCES:
        return 0
    return min(cpus, AUTO_MAX_WORKERS)


def start_pool(workers: int) -> Executor | None:
    """A process pool of `workers`, warmed up; None when processes are unavailable here."""
    if workers <= 0 or not _main_is_importable():
        return None
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(list(_PRELOAD))
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        pool.submit(_warm_up)  # start the workers now, while the first fetches are in flight
    except (OSError, NotImplementedError, ImportError) as exc:
        log.info("parsing in this process: worker processes are unavailable (%s)", exc)
        return None
    return pool


def _warm_up() -> None:
    import importlib

    for module in _PRELOAD:  # a no-op after a forkserver's preload; spawn starts from nothing
        importlib.import_module(module)


def _main_is_importable() -> bool:
    """Workers re-import the main script; one run from stdin or a deleted file cannot be."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def read_body(source: Source, body: bytes, headers: dict[str, str], url: str, tz: ZoneInfo,
              now: datetime) -> tuple[SourceResult, list[Item]]:
    """Runs in a worker: the same work as collect.read_source for a body that arrived."""
    from .collect import parse_body

    return parse_body(source, body, headers, url, tz=tz, now=now)
