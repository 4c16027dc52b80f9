"""Collect: fetch every source, then parse + normalize each body, in parser processes for a big run.

The fetcher's event loop runs on this thread.  With parser processes (one
`concurrent.futures.ProcessPoolExecutor`, owned by `collect` for one call), each body is handed
to a process as soon as it arrives, so parsing overlaps the downloads still under way; without
them, bodies are parsed here once the downloads are done.  A source whose parse failed in a
process (a worker that died) is parsed again here: no source is lost.  Results are put back in
config order, so the outcome never depends on which server answered first or where a feed was
parsed.

Worker processes re-import the program's main script, as with any multiprocessing: a program that
calls digest as a library needs the `if __name__ == "__main__":` guard, or `fetch.parse_workers: 0`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .config import Config, FetchSettings, Source
from .deadline import RUN_DEADLINE, parsing_until
from .errors import SourceError
from .fetch import FetchRequest, FetchResult
from .fetch.guard import host_entry
from .models import Item, SourceResult
from .normalize import normalize_entries
from .state.http_cache import Validators

log = logging.getLogger(__name__)

# Below this many sources the processes' start-up (about half a second, importing the parser) is
# not won back by parsing on two or more CPUs (about 20 ms per feed).
AUTO_MIN_SOURCES = 24
AUTO_MAX_WORKERS = 8

Outcome = tuple[SourceResult, list[Item]]


@dataclass(frozen=True)
class Collected:
    items: list[Item]  # in config order of their sources, then feed order
    results: list[SourceResult]  # in config order
    validators: dict[str, Validators]  # new HTTP validators of sources answered 200


def collect(config: Config, validators: Mapping[str, Validators], settings: FetchSettings, *,
            now: datetime, on_source: Callable[[SourceResult], None] | None = None) -> Collected:
    """Every source fetched, parsed and normalized; never raises for one source's failure."""
    from .fetch import fetch_all

    until = time.time() + max(settings.deadline, 0.0)  # parsing stops at the deadline too, not only fetching
    sources = {s.name: s for s in config.sources}
    # a redirect may reach a private address only on a host the config names (or fetch.allow_hosts)
    configured = tuple(dict.fromkeys(e for s in config.sources if (e := host_entry(s.url))))
    requests = [
        FetchRequest(key=s.name, url=s.url, etag=validators.get(s.url, Validators()).etag,
                     last_modified=validators.get(s.url, Validators()).last_modified, allow_file=True,
                     allow_hosts=configured)
        for s in config.sources
    ]
    parsing: dict[str, Future[Outcome]] = {}
    workers = worker_count(settings.parse_workers, len(requests))
    failures: list[str] = []  # sources a parser process could not take or failed
    with _parser_processes(workers) as pool:

        def hand_over(fetched: FetchResult) -> None:  # in the event loop: must not block
            if pool is None or fetched.status != "ok":
                return
            source = sources[fetched.key]
            try:
                parsing[source.name] = pool.submit(
                    parse_body, source, fetched.body, dict(fetched.headers), fetched.final_url or source.url,
                    tz=_tz(source, config), now=now, until=until)
            except Exception as exc:  # a broken pool: this body is parsed here, after the downloads
                failures.append(f"{source.name}: {exc.__class__.__name__}")

        if pool is not None and any(not (r.etag or r.last_modified) for r in requests):
            _start(pool, workers)  # a body is likely: the processes import the parsers meanwhile
        fetched_all = fetch_all(requests, settings, on_result=hand_over)
        done: dict[str, Outcome] = {}
        # smallest body first: near the deadline, one huge feed should cost only itself
        for fetched in sorted(fetched_all, key=lambda f: len(f.body)):
            source = sources[fetched.key]
            future = parsing.get(source.name)
            outcome = _waited(source, future, until, failures) if future is not None else None
            done[source.name] = outcome or read_source(source, fetched, config, now=now, until=until)
        outcomes = [done[f.key] for f in fetched_all]
    if failures:  # one line for the run, not one per source
        log.warning("a parser process failed (%s); %d source(s) parsed in this process instead",
                    failures[0], len(failures))
    new_validators: dict[str, Validators] = {}
    for fetched, (result, _) in zip(fetched_all, outcomes, strict=True):
        if result.status == "ok":
            # validators of a body we could not read would turn tomorrow's error into a 304
            new_validators[fetched.url] = Validators(fetched.etag, fetched.last_modified)
        if on_source:
            try:
                on_source(result)
            except Exception:  # a broken progress display must not lose collected sources
                log.warning("progress callback failed for %s", result.name, exc_info=True)
    return Collected(
        items=[item for _, items in outcomes for item in items],
        results=[result for result, _ in outcomes],
        validators=new_validators,
    )


def worker_count(setting: int | None, sources: int) -> int:
    """Parser processes to start: `setting` when the user chose one, else one per CPU for a big run."""
    if setting is not None:
        return setting
    try:
        cpus = len(os.sched_getaffinity(0))  # a container's CPU set, not the host's count
    except AttributeError:  # macOS, Windows
        cpus = os.cpu_count() or 1
    return min(cpus, AUTO_MAX_WORKERS) if cpus >= 2 and sources >= AUTO_MIN_SOURCES else 0


@contextmanager
def _parser_processes(workers: int) -> Iterator[Executor | None]:
    """A process pool of `workers` (None for none), shut down on leaving, unfinished work cancelled."""
    if workers <= 0:
        yield None
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # forkserver: workers never copy the fetcher's threads or locks (fork would)
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _start(pool: Executor, workers: int) -> None:
    """Start the processes now (ProcessPoolExecutor starts one per task while none is idle)."""
    for _ in range(workers):
        try:
            pool.submit(_warm_up)
        except Exception:  # a pool that cannot start: the first body says so, and is parsed here
            return


def _warm_up() -> None:
    """Run first in each parser process: the imports a parse needs, done while requests are out."""
    from .sources import feed, listing  # noqa: F401


def _waited(source: Source, future: Future[Outcome], until: float, failures: list[str]) -> Outcome | None:
    """What a parser process made of a body (waited for until the deadline); None when it failed."""
    try:
        return future.result(timeout=max(until - time.time(), 0.0) + 1.0)
    except TimeoutError:  # the process stops at the deadline itself; this is its last chance
        future.cancel()
        return SourceResult(source.name, source.url, "error", error=RUN_DEADLINE), []
    except Exception as exc:  # a dead worker, a result that would not pickle ...
        failures.append(f"{source.name}: {exc.__class__.__name__}")
        return None


def _tz(source: Source, config: Config) -> ZoneInfo:
    return ZoneInfo(source.timezone) if source.timezone else config.tz


def read_source(source: Source, fetched: FetchResult, config: Config, *, now: datetime,
                until: float | None = None) -> tuple[SourceResult, list[Item]]:
    """One source's fetch result -> its SourceResult and Items; never raises."""
    if fetched.status == "error":
        return SourceResult(source.name, source.url, "error", error=fetched.error or "failed"), []
    if fetched.status == "not_modified":
        return SourceResult(source.name, source.url, "not_modified"), []
    return parse_body(source, fetched.body, fetched.headers, fetched.final_url or source.url,
                      tz=_tz(source, config), now=now, until=until)


def parse_body(source: Source, body: bytes, headers: Mapping[str, str], url: str, *, tz: ZoneInfo,
               now: datetime, until: float | None = None) -> tuple[SourceResult, list[Item]]:
    """A body that arrived -> its SourceResult and Items; never raises (runs in workers too).

    Past `until` (time.time()) the parse stops and the source is "timed out (run deadline)"."""
    from .sources import parse_source

    try:
        with parsing_until(until):
            entries = parse_source(source, body, headers, url, tz=tz, now=now)
            items = normalize_entries(entries, source, now=now, tz=tz)
    except SourceError as exc:
        return SourceResult(source.name, source.url, "error", error=str(exc)), []
    except (Exception, RecursionError) as exc:
        log.warning("%s: unexpected parser failure", source.name, exc_info=True)
        return SourceResult(source.name, source.url, "error", error=f"could not parse ({exc.__class__.__name__})"), []
    return SourceResult(source.name, source.url, "ok", items=len(items)), items
