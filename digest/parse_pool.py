"""Worker processes that parse and normalize feeds while the event loop goes on fetching.

Parsing is CPU work in pure Python (feedparser's SAX handlers, the sanitizer, dates), so threads
cannot share it out; processes can.  A pool only pays off for a run with many sources: starting
one costs about half a second (a forkserver that imports the parser once; workers are forked
from it in milliseconds and never copy the fetcher's threads or locks), each body travels to a
worker and its Items travel back pickled.  The caller starts it in the background on the first
body that needs parsing and parses in-process until it is ready (see collect.py).

Workers ignore Ctrl-C (the main process stops them) and send their log records to the main
process, so `--verbose` and `--quiet` apply to them too.  If processes cannot be started at all
(a locked-down container), or a worker dies, the caller parses in-process.

Workers re-import the program's main script, as with any multiprocessing, so "auto" starts them
only for the `digest` command itself; a program that calls digest as a library chooses with
`fetch.parse_workers` (and needs the `if __name__ == "__main__":` guard to use them).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the CLI imports this module at start-up: multiprocessing only when a pool starts
    import logging.handlers
    from concurrent.futures import Executor

log = logging.getLogger(__name__)

# Below this many sources the pool's start-up is not won back (about 20 ms of parsing per feed
# against ~0.5 s to start workers that have imported feedparser, lxml and nh3).
AUTO_MIN_SOURCES = 24
AUTO_MAX_WORKERS = 8
# what every worker needs, imported once by the forkserver instead of once per worker
_PRELOAD = ("digest.collect", "digest.sources", "digest.sources.feed", "digest.sources.feedparser_speedups",
            "feedparser", "lxml.html")
_auto_allowed = False
_main_imports: tuple[str, ...] = ()


def allow_auto(main_imports: Sequence[str] = ()) -> None:
    """Let `parse_workers: auto` start workers: called by the CLI, whose main script is safe to re-import.

    Every worker runs the main script again; `main_imports`, the modules that script imports
    (for the digest command: digest.cli, with typer, click and rich, 70-100 ms of CPU), are
    imported once by the forkserver instead, so the workers forked from it find them loaded.
    """
    global _auto_allowed, _main_imports
    _auto_allowed = True
    _main_imports = tuple(main_imports)


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
    if not _auto_allowed or cpus < 2 or sources < AUTO_MIN_SOURCES:
        return 0
    return min(cpus, AUTO_MAX_WORKERS)


@dataclass
class Pool:
    """A running pool and the thread that relays its workers' log records; `stop` ends both."""

    executor: Executor
    relay: logging.handlers.QueueListener | None = None

    def stop(self, *, join: bool = True) -> None:
        self.executor.shutdown(wait=join, cancel_futures=True)
        if self.relay is not None:
            self.relay.stop()
            self.relay = None


def start_pool(workers: int) -> Pool | None:
    """A process pool of `workers` with its workers started; None when processes are unavailable here.

    Blocks until the first worker is up (about half a second): call it off the main path.
    """
    if workers <= 0 or not _main_is_importable():
        return None
    import logging.handlers
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([*_PRELOAD, *_main_imports])
    relay = None
    try:
        records: Any = context.Queue()
        relay = logging.handlers.QueueListener(records, _Relay())
        relay.start()
        level = logging.getLogger("digest").getEffectiveLevel()
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=_init_worker, initargs=(records, level))
        executor.submit(_warm_up).result()  # surfaces a pool that cannot start at all
    except Exception as exc:  # any failure to start means: parse in-process
        if relay is not None:
            relay.stop()
        log.info("parsing in this process: worker processes are unavailable (%s)", exc)
        return None
    return Pool(executor, relay)


class _Relay(logging.Handler):
    """In the main process: a worker's record goes through the logger it was made for."""

    def handle(self, record: logging.LogRecord) -> bool:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:  # handle() does the work
        pass


def _init_worker(records: Any, level: int) -> None:
    import logging.handlers
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    root = logging.getLogger()
    root.handlers = [logging.handlers.QueueHandler(records)]
    logging.getLogger("digest").setLevel(level)


def _warm_up() -> None:
    import importlib

    for module in _PRELOAD:  # a no-op after a forkserver's preload; spawn starts from nothing
        importlib.import_module(module)


def _main_is_importable() -> bool:
    """Workers re-import the main script; one run from stdin or a deleted file cannot be."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)
