"""Collect: fetch every source and parse + normalize each one as soon as its bytes arrive.

Fetching runs in the fetcher's event loop (a worker thread); parsing runs on this thread while
the other downloads go on.  A process pool for parsing was measured and lost on 2 cores
(worker start-up and pickling Items back cost more than the parallel parse saved; see
docs/benchmarks.md), so there is none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
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

    sources = {s.name: s for s in config.sources}
    requests = [
        FetchRequest(key=s.name, url=s.url, etag=validators.get(s.url, Validators()).etag,
                     last_modified=validators.get(s.url, Validators()).last_modified, allow_file=True)
        for s in config.sources
    ]
    done: dict[str, tuple[SourceResult, list[Item]]] = {}
    new_validators: dict[str, Validators] = {}

    def on_result(fetched: FetchResult) -> None:
        source = sources[fetched.key]
        done[source.name] = outcome = read_source(source, fetched, config, now=now)
        if outcome[0].status == "ok":
            # validators of a body we could not read would turn tomorrow's error into a 304
            new_validators[source.url] = Validators(fetched.etag, fetched.last_modified)
        if on_source:
            on_source(outcome[0])

    fetch_all(requests, settings, on_result=on_result)
    ordered = [done[s.name] for s in config.sources if s.name in done]
    return Collected(
        items=[item for _, items in ordered for item in items],
        results=[result for result, _ in ordered],
        validators=new_validators,
    )


def read_source(source: Source, fetched: FetchResult, config: Config, *, now: datetime) -> tuple[SourceResult, list[Item]]:
    """One source's fetch result -> its SourceResult and Items; never raises."""
    if fetched.status == "error":
        return SourceResult(source.name, source.url, "error", error=fetched.error or "failed"), []
    if fetched.status == "not_modified":
        return SourceResult(source.name, source.url, "not_modified"), []
    from .sources import parse_source

    tz = ZoneInfo(source.timezone) if source.timezone else config.tz
    try:
        entries = parse_source(source, fetched.body, fetched.headers, fetched.final_url or source.url, tz=tz, now=now)
        items = normalize_entries(entries, source, now=now, tz=tz)
    except SourceError as exc:
        return SourceResult(source.name, source.url, "error", error=str(exc)), []
    except (Exception, RecursionError) as exc:
        log.warning("%s: unexpected parser failure", source.name, exc_info=True)
        return SourceResult(source.name, source.url, "error", error=f"could not parse ({exc.__class__.__name__})"), []
    return SourceResult(source.name, source.url, "ok", items=len(items)), items
