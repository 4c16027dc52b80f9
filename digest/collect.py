"""Collect: fetch every source and parse + normalize each one as soon as its bytes arrive.

Fetching runs in the fetcher's event loop (a worker thread).  Each body that arrives is parsed
while the other downloads go on: in worker processes for a run with many sources (see
digest.parse_pool), on this thread otherwise.  Results are put back in config order, so the
outcome never depends on which server answered first or where a feed was parsed.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .config import Config, FetchSettings, Source
from .errors import SourceError
from .fetch import FetchRequest, FetchResult
from .models import Item, SourceResult
from .normalize import normalize_entries
from .state.http_cache import Validators

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Collected:
    items: list[Item]  # in config order of their sources, then feed order
    results: list[SourceResult]  # in config order
    validators: dict[str, Validators]  # new HTTP validators of sources answered 200


def collect(config: Config, validators: Mapping[str, Validators], settings: FetchSettings, *,
            now: datetime, on_source: Callable[[SourceResult], None] | None = None) -> Collected:
    from .fetch import fetch_all
    from .parse_pool import start_pool, worker_count

    sources = {s.name: s for s in config.sources}
    requests = [
        FetchRequest(key=s.name, url=s.url, etag=validators.get(s.url, Validators()).etag,
                     last_modified=validators.get(s.url, Validators()).last_modified, allow_file=True)
        for s in config.sources
    ]
    done: dict[str, tuple[SourceResult, list[Item]]] = {}
    new_validators: dict[str, Validators] = {}
    fetched_of: dict[str, FetchResult] = {}
    parsing: dict[Future[tuple[SourceResult, list[Item]]], Source] = {}
    parsed: queue.SimpleQueue[Future[tuple[SourceResult, list[Item]]]] = queue.SimpleQueue()
    pool = start_pool(worker_count(settings.parse_workers, len(requests)))

    def finish(source: Source, outcome: tuple[SourceResult, list[Item]]) -> None:
        done[source.name] = outcome
        if outcome[0].status == "ok":
            # validators of a body we could not read would turn tomorrow's error into a 304
            fetched = fetched_of[source.name]
            new_validators[source.url] = Validators(fetched.etag, fetched.last_modified)
        if on_source:
            on_source(outcome[0])

    def abandon_pool(name: str) -> None:
        # a worker died (out of memory, a crash in a C parser): the rest is parsed here
        nonlocal pool
        if pool is not None:
            log.warning("%s: a parser process died; parsing the rest in this process", name)
            _stop(pool, join=False)
            pool = None

    def harvest(block: bool) -> None:
        while parsing:
            try:
                future = parsed.get(block=block)
            except queue.Empty:
                return
            source = parsing.pop(future)
            try:
                outcome = future.result()
            except (BrokenProcessPool, CancelledError):  # cancelled: queued when the pool was given up
                abandon_pool(source.name)
                outcome = read_source(source, fetched_of[source.name], config, now=now)
            finish(source, outcome)

    def on_result(fetched: FetchResult) -> None:
        source = sources[fetched.key]
        fetched_of[source.name] = fetched
        if pool is not None and fetched.status == "ok":
            from .parse_pool import read_body

            try:
                future = pool.submit(read_body, source, fetched.body, dict(fetched.headers),
                                     fetched.final_url or source.url, _tz(source, config), now)
                parsing[future] = source
                future.add_done_callback(parsed.put)
            except BrokenProcessPool:
                abandon_pool(source.name)
                finish(source, read_source(source, fetched, config, now=now))
        else:
            finish(source, read_source(source, fetched, config, now=now))
        harvest(block=False)

    try:
        fetch_all(requests, settings, on_result=on_result)
        harvest(block=True)
    finally:
        _stop(pool)
    ordered = [done[s.name] for s in config.sources if s.name in done]
    return Collected(
        items=[item for _, items in ordered for item in items],
        results=[result for result, _ in ordered],
        validators=new_validators,
    )


def _stop(pool: Executor | None, *, join: bool = True) -> None:
    if pool is not None:
        pool.shutdown(wait=join, cancel_futures=True)


def _tz(source: Source, config: Config) -> ZoneInfo:
    return ZoneInfo(source.timezone) if source.timezone else config.tz


def read_source(source: Source, fetched: FetchResult, config: Config, *, now: datetime) -> tuple[SourceResult, list[Item]]:
    """One source's fetch result -> its SourceResult and Items; never raises."""
    if fetched.status == "error":
        return SourceResult(source.name, source.url, "error", error=fetched.error or "failed"), []
    if fetched.status == "not_modified":
        return SourceResult(source.name, source.url, "not_modified"), []
    return parse_body(source, fetched.body, fetched.headers, fetched.final_url or source.url,
                      tz=_tz(source, config), now=now)


def parse_body(source: Source, body: bytes, headers: Mapping[str, str], url: str, *, tz: ZoneInfo,
               now: datetime) -> tuple[SourceResult, list[Item]]:
    """A body that arrived -> its SourceResult and Items; never raises (runs in workers too)."""
    from .sources import parse_source

    try:
        entries = parse_source(source, body, headers, url, tz=tz, now=now)
        items = normalize_entries(entries, source, now=now, tz=tz)
    except SourceError as exc:
        return SourceResult(source.name, source.url, "error", error=str(exc)), []
    except (Exception, RecursionError) as exc:
        log.warning("%s: unexpected parser failure", source.name, exc_info=True)
        return SourceResult(source.name, source.url, "error", error=f"could not parse ({exc.__class__.__name__})"), []
    return SourceResult(source.name, source.url, "ok", items=len(items)), items
