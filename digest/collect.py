"""Collect: fetch every source and parse + normalize each one as soon as its bytes arrive.

Fetching runs in the fetcher's event loop (a worker thread).  Each body that arrives is parsed
while the other downloads go on: in worker processes for a run with many sources (see
digest.parse_pool), on this thread otherwise.  Results are put back in config order, so the
outcome never depends on which server answered first or where a feed was parsed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from .config import Config, FetchSettings, Source
from .deadline import parsing_until
from .errors import SourceError
from .fetch import FetchRequest, FetchResult
from .fetch.guard import host_entry
from .models import Item, SourceResult
from .normalize import normalize_entries
from .state.http_cache import Validators

if TYPE_CHECKING:
    from .parse_pool import Pool

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Collected:
    items: list[Item]  # in config order of their sources, then feed order
    results: list[SourceResult]  # in config order
    validators: dict[str, Validators]  # new HTTP validators of sources answered 200


def collect(config: Config, validators: Mapping[str, Validators], settings: FetchSettings, *,
            now: datetime, on_source: Callable[[SourceResult], None] | None = None) -> Collected:
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
    done: dict[str, tuple[SourceResult, list[Item]]] = {}
    new_validators: dict[str, Validators] = {}
    parsing: dict[Future[tuple[SourceResult, list[Item]]], FetchResult] = {}
    parsed: queue.SimpleQueue[Future[tuple[SourceResult, list[Item]]]] = queue.SimpleQueue()
    workers = _Workers(settings.parse_workers, len(requests))

    def finish(fetched: FetchResult, outcome: tuple[SourceResult, list[Item]]) -> None:
        source = sources[fetched.key]
        done[source.name] = outcome
        if outcome[0].status == "ok":
            # validators of a body we could not read would turn tomorrow's error into a 304
            new_validators[source.url] = Validators(fetched.etag, fetched.last_modified)
        if on_source:
            try:
                on_source(outcome[0])
            except Exception:  # a broken progress display must not lose collected sources
                log.warning("progress callback failed for %s", source.name, exc_info=True)

    def harvest(block: bool) -> None:
        while parsing:
            try:
                future = parsed.get(block=block)
            except queue.Empty:
                return
            fetched = parsing.pop(future)
            try:
                outcome = future.result()
            except Exception as exc:  # a dead worker, a result that would not pickle ...
                workers.abandon(fetched.key, exc)
                outcome = read_source(sources[fetched.key], fetched, config, now=now, until=until)
            finish(fetched, outcome)

    def on_result(fetched: FetchResult) -> None:
        source = sources[fetched.key]
        pool = workers.get() if fetched.status == "ok" else None
        if pool is None:
            finish(fetched, read_source(source, fetched, config, now=now, until=until))
        else:
            try:
                future = pool.executor.submit(parse_body, source, fetched.body, dict(fetched.headers),
                                              fetched.final_url or source.url, tz=_tz(source, config), now=now,
                                              until=until)
            except Exception as exc:  # a broken pool, a worker that cannot start ...
                workers.abandon(source.name, exc)
                finish(fetched, read_source(source, fetched, config, now=now, until=until))
            else:
                parsing[future] = fetched  # the body is let go of once its Items are back
                future.add_done_callback(parsed.put)
        harvest(block=False)

    try:
        if any(not (r.etag or r.last_modified) for r in requests):
            workers.get()  # a body is likely: start the workers now, while the first requests are out
        fetch_all(requests, settings, on_result=on_result)
        harvest(block=True)
    finally:
        workers.stop()
    ordered = [done[s.name] for s in config.sources if s.name in done]
    return Collected(
        items=[item for _, items in ordered for item in items],
        results=[result for result, _ in ordered],
        validators=new_validators,
    )


class _Workers:
    """The parser processes of one collection, started in the background: at once when some
    source has no validators (its answer will be a body), else on the first body that needs
    parsing (a run where everything answers 304 never starts them).  Used once ready (bodies
    are parsed in-process until then, about half a second); given up for good on the first
    failure."""

    def __init__(self, setting: int | None, sources: int) -> None:
        from .parse_pool import worker_count

        self.count = worker_count(setting, sources)
        self.pool: Pool | None = None
        self.starter: threading.Thread | None = None
        self.given_up = self.count <= 0

    def get(self) -> Pool | None:
        if self.given_up:
            return None
        if self.starter is None:
            self.starter = threading.Thread(target=self._start, name="digest-parse-pool", daemon=True)
            self.starter.start()
        return self.pool  # None while the workers are starting

    def _start(self) -> None:
        from .parse_pool import start_pool

        pool = start_pool(self.count)
        if pool is None:
            self.given_up = True
        self.pool = pool

    def abandon(self, name: str, exc: BaseException) -> None:
        if not self.given_up:
            log.warning("%s: a parser process failed (%s); parsing the rest in this process",
                        name, exc.__class__.__name__)
            self.given_up = True
        if self.pool is not None:
            self.pool.stop(join=False)
            self.pool = None

    def stop(self) -> None:
        self.given_up = True
        if self.starter is not None:
            self.starter.join()
        if self.pool is not None:
            self.pool.stop()
            self.pool = None


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
