"""The one orchestrator: config -> collect -> normalize -> dedup -> select -> summarize -> render
-> write files -> deliver -> commit state.

Everything in the middle is a pure function of values; the I/O (fetching, the state file,
the output folder, SMTP) happens here, in this order, so that a run that fails halfway
leaves the state exactly as it was: state is committed in one transaction, and only after
the digest files are on disk (and, when sending, after at least one delivery succeeded).
Only the delivery records (the day's digest, the ledger) are written as sending happens, by deliver/.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .collect import collect
from .config import Config, FetchSettings
from .errors import DeliveryError, DigestError, StateError, UsageError
from .models import Digest, Item, Section, SourceResult, Stats
from .select import select_items
from .state import CACHE_RETENTION_DAYS, SEEN_RETENTION_DAYS, State, http_cache, open_state, seen
from .state import summaries as summary_cache
from .state.store import guard
from .timewindow import local_date, parse_now, parse_since

if TYPE_CHECKING:  # the modules themselves load only when a run needs them
    from .dedup import Decision
    from .deliver import DeliveryReport, Recipient, SmtpSettings
    from .deliver.daily import DailyDelivery
    from .state.articles import Article

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    """What one invocation asks for; every field has the behaviour of a plain `digest run`."""

    out: Path | None = Path("out")  # None: render in memory only (preview)
    since: str | None = None  # overrides config.since
    now: str | None = None  # ISO-8601, pins "now" for reproducible runs
    write_state: bool = True  # False for `digest preview`: nothing is remembered
    send: bool = False
    force: bool = False  # resend to recipients the ledger says already got today's digest
    archive: Path | None = None  # overrides config.archive
    deadline: float | None = None  # seconds for the whole collection; overrides fetch.deadline
    on_source: Callable[[SourceResult], None] | None = None  # progress, one call per source
    on_phase: Callable[[str], None] | None = None  # progress, at the start of each phase


@dataclass
class RunResult:
    digest: Digest
    html: str = ""
    text: str = ""
    json: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)  # dedup decisions, for `digest explain`
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    warnings: list[str] = field(default_factory=list)
    delivery: DeliveryReport | None = None  # when --send
    not_modified: int = 0
    failed: int = 0


@dataclass
class _Collected:
    items: list[Item]
    results: list[SourceResult]
    validators: dict[str, http_cache.Validators]
    fresh_summaries: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    fresh_articles: list[Article] = field(default_factory=list)  # full-text pages fetched this run


class _Timer:
    def __init__(self, on_phase: Callable[[str], None] | None) -> None:
        self.timings: dict[str, float] = {}
        self.on_phase = on_phase

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if self.on_phase:
            self.on_phase(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def run(config: Config, options: RunOptions | None = None) -> RunResult:
    """Build the digest, write it, optionally send it, then remember what was done."""
    options = options or RunOptions()
    if not options.write_state:
        state = open_state(config.state, readonly=True)
        try:
            with guard(config.state):  # a damaged page read late is one line, not a traceback
                return _build(config, options, state, _Timer(options.on_phase))[0]
        finally:
            state.close()
    from .state.lock import run_lock

    with run_lock(config.state):
        state = open_state(config.state)
        try:
            with guard(config.state):
                return _run_and_commit(config, options, state)
        finally:
            state.close()


def preview(config: Config, options: RunOptions | None = None) -> RunResult:
    """The digest as `run` would build it now, without writing files or state."""
    options = dataclasses.replace(options or RunOptions(), out=None, write_state=False, send=False)
    return run(config, options)


def _run_and_commit(config: Config, options: RunOptions, state: State) -> RunResult:
    timer = _Timer(options.on_phase)
    plan = _plan_delivery(config) if options.send else None
    if options.out is not None:
        _check_out_dir(options.out)
    result, collected = _build(config, options, state, timer)
    digest = result.digest
    if options.out is not None:
        with timer.phase("write"):
            result.files = write_outputs(options.out, result)
            archive = options.archive or config.archive
            if archive is not None:
                from .archive import write_archive
                from .render import render_html

                web = render_html(digest, templates=config.templates, web=True, layout=config.layout).html
                result.files += write_archive(archive, digest, web, site_url=config.archive_url,
                                              templates=config.templates)
    # without --send, writing the files is what counts: this run's items are the day's
    sent: Digest | None = digest
    if plan is not None:
        state.check_still_there()  # a ledger written into a deleted file would re-send everything later
        with timer.phase("deliver"):
            daily = _deliver(config, options, state, digest, plan)
            result.delivery, sent = daily.report, daily.sent
    with timer.phase("commit"):
        try:
            _commit(config, state, collected, sent=sent, this_run=sent is digest, now=digest.generated_at)
        except StateError as exc:
            if result.delivery is not None and result.delivery.may_have_delivered:
                raise StateError(f"{exc}; the digest was sent ({result.delivery.summary()}) but its delivery "
                                 "records went into the file that is gone, so a run on the file now at that path "
                                 "may send it again") from None
            raise
    result.timings = timer.timings
    failed = [r for r in digest.sources if r.status == "error"]
    if digest.sources and len(failed) == len(digest.sources):
        reasons = "; ".join(f"{r.name}: {r.error}" for r in failed[:3]) + ("; …" if len(failed) > 3 else "")
        raise DigestError(f"every source failed ({reasons}); check the network and the URLs in {config.path.name}")
    if result.delivery is not None and result.delivery.all_failed:
        raise DeliveryError(
            "the digest could not be delivered to anyone; nothing was marked as sent, "
            f"so the next run includes these items ({result.delivery.summary()})"
        )
    if result.delivery is not None and result.delivery.failed:
        raise DeliveryError(
            f"{result.delivery.summary()}; run again to retry only the recipients that failed"
        )
    if result.delivery is not None and result.delivery.uncertain:
        raise DeliveryError(
            f"{result.delivery.summary()}. The server may have delivered these messages; check its logs, "
            "or run again to send those recipients one more copy (same Message-ID, never a third)"
        )
    return result


def _build(config: Config, options: RunOptions, state: State, timer: _Timer) -> tuple[RunResult, _Collected]:
    """The digest and its rendered forms, and what was learned on the way (committed only by `run`)."""
    tz = config.tz
    try:
        now = parse_now(options.now, tz)
    except ValueError as exc:
        raise UsageError(f"--now: {exc}") from None
    try:
        since = parse_since(options.since or config.since, now, tz)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None

    with timer.phase("collect"):
        validators = {
            # a preview must show the whole window, so it never asks for "only if changed"
            s.url: http_cache.get(state.conn, s.url) if options.write_state else http_cache.Validators()
            for s in config.sources
        }
        fetch_settings = config.fetch
        if options.deadline is not None:
            fetch_settings = dataclasses.replace(fetch_settings, deadline=options.deadline)
        deadline_at = time.monotonic() + fetch_settings.deadline  # full-text fetches come out of the same time
        got = collect(config, validators, fetch_settings, now=now, on_source=options.on_source)
        collected = _Collected(items=_with_first_seen(state, got.items, now), results=got.results,
                               validators=got.validators)
    with timer.phase("dedup"):
        from .dedup import deduplicate
        from .state.history import load_history

        history = load_history(state.conn, now=now, settings=config.dedup)
        # only the window's items compete: an older copy must not become a story's representative
        from .select import in_window

        window = [i for i in collected.items if in_window(i, since, now)]
        deduped = deduplicate(window, settings=config.dedup, history=history)
    with timer.phase("select"):
        from .dedup import order_items

        selection = select_items(deduped.items, config, since=since, until=now, order=order_items)
    sections = selection.sections
    if any(s.full_text for s in config.sources):
        with timer.phase("full text"):
            sections, collected.fresh_articles = _with_full_text(
                config, state, sections, dataclasses.replace(fetch_settings, deadline=deadline_at - time.monotonic()))
            sections, same_article = _same_article(sections)
    else:
        same_article = []
    with timer.phase("summarize"):
        sections, collected.fresh_summaries = _summarize(config, state, sections)
    items = [i for s in sections for i in s.items]
    digest = Digest(
        title=config.title,
        generated_at=now,
        since=since,
        until=now,
        timezone=config.timezone,
        language=_dominant_language(items or collected.items, config.title),
        sections=sections,
        sources=tuple(_with_failing_days(state, collected.results, now)),
        stats=Stats(fetched=len(collected.items), duplicates=deduped.duplicates + len(same_article),
                    selected=len(items)),
        archive_url=_archive_link(config, now),
        left_out=selection.left_out,
        ranking=selection.ranking,
    )
    result = RunResult(digest=digest, decisions=[*deduped.decisions, *same_article, *deduped.near_misses])
    with timer.phase("render"):
        rendered = render_digest(digest, config)
        result.html, result.text, warnings = rendered
        result.warnings.extend(warnings)
        from .render import digest_to_json

        result.json = digest_to_json(digest)
    result.timings = timer.timings
    result.not_modified = sum(1 for r in collected.results if r.status == "not_modified")
    result.failed = sum(1 for r in collected.results if r.status == "error")
    return result, collected


def render_digest(digest: Digest, config: Config) -> tuple[str, str, list[str]]:
    """(html, text, warnings) for a digest, with the user's templates if configured."""
    from .render import render_html, render_text, unsubscribe_link

    link = unsubscribe_link(config.email.unsubscribe_url, config.email.sender)
    html = render_html(digest, templates=config.templates, unsubscribe_url=link, layout=config.layout)
    text = render_text(digest, templates=config.templates, unsubscribe_url=link, layout=config.layout)
    return html.html, text, list(html.warnings)


def _with_first_seen(state: State, items: list[Item], now: datetime) -> list[Item]:
    """Undated items take the time digest first saw them (the first run that saw them: now)."""
    undated = [i.id for i in items if not i.dated]
    if not undated:
        return items
    # ids stored before URLs were RFC 3986-normalised count too (Item.legacy_id); the earlier time wins
    known = seen.get_many(state.conn, undated + [i.legacy_id for i in items if not i.dated and i.legacy_id])
    return [
        dataclasses.replace(i, published=datetime.fromtimestamp(min(times), tz=now.tzinfo))
        if not i.dated and (times := [known[k] for k in (i.id, i.legacy_id) if k in known]) else i
        for i in items
    ]


# ---------------------------------------------------------------------------- enrich

def _with_full_text(config: Config, state: State, sections: tuple[Section, ...],
                    fetch_settings: FetchSettings) -> tuple[tuple[Section, ...], list[Article]]:
    """Article text for items of `full_text` sources, and the pages fetched anew (the cache's, committed later).

    `fetch_settings.deadline` is what is left of the run's: pages not fetched by then keep the feed's text."""
    from .fulltext import fetch_full_texts
    from .normalize import article_text

    wanted = {s.name for s in config.sources if s.full_text}
    targets = [i for s in sections for i in s.items if i.source in wanted]
    if not targets:
        return sections, []
    texts = fetch_full_texts(
        targets, fetch_settings=fetch_settings, allow_hosts=config.fetch.allow_hosts,
        conn=state.conn, now=time.time(),
    )
    return tuple(
        Section(s.name, tuple(
            dataclasses.replace(i, text=article_text(texts[i.id])) if texts.get(i.id) else i for i in s.items
        ))
        for s in sections
    ), list(texts.to_cache)


def _same_article(sections: tuple[Section, ...]) -> tuple[tuple[Section, ...], list[Decision]]:
    """Items whose fetched articles are the same text are one story (a feed link and a listing link to one page)."""
    from .dedup import same_text

    merged = same_text([i for s in sections for i in s.items])
    if not merged.decisions:
        return sections, []
    kept = {i.url: i for i in merged.items}
    rebuilt = (Section(s.name, tuple(kept[i.url] for i in s.items if i.url in kept)) for s in sections)
    return tuple(s for s in rebuilt if s.items), list(merged.decisions)


def _summary_key(item: Item, config: Config, version: str) -> str:
    settings = config.summary
    material = json.dumps(
        [version, settings.algorithm, settings.sentences, settings.max_chars, item.language, item.title, item.text],
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode()).hexdigest()


def _summarize(config: Config, state: State,
               sections: tuple[Section, ...]) -> tuple[tuple[Section, ...], dict[str, tuple[tuple[str, ...], str]]]:
    """Summaries for the selected items only, reused from the state cache when the text is unchanged.

    Also returns the newly computed ones, committed later with the rest of the state.
    """
    items = [i for s in sections for i in s.items]
    if not items:
        return sections, {}
    from .summarize import SUMMARY_VERSION, summarize

    keys = {i.id: _summary_key(i, config, SUMMARY_VERSION) for i in items}
    cached = summary_cache.get_many(state.conn, list(keys.values()))
    done: dict[str, Item] = {}
    fresh: dict[str, tuple[tuple[str, ...], str]] = {}
    for item in items:
        key = keys[item.id]
        if key in cached:
            sentences, text = cached[key]
        else:
            summary = summarize(
                item.text, title=item.title, language=item.language, sentences=config.summary.sentences,
                max_chars=config.summary.max_chars, algorithm=config.summary.algorithm,
            )
            sentences, text = summary.sentences, summary.text
            fresh[key] = (sentences, text)
        done[item.id] = dataclasses.replace(item, summary=text, summary_sentences=sentences)
    return tuple(Section(s.name, tuple(done[i.id] for i in s.items)) for s in sections), fresh


def _dominant_language(items: Sequence[Item], title: str = "") -> str:
    """The language most items are in; a tie, or no items at all (an empty or failed run), goes by the title.

    So an empty digest of a Chinese newsletter keeps its Chinese labels and date instead of
    switching to English for the day.
    """
    counts = Counter(i.language for i in items)
    if counts["zh"] != counts["en"]:
        return "zh" if counts["zh"] > counts["en"] else "en"
    return "zh" if any("\u4e00" <= char <= "\u9fff" for char in title) else "en"


def _archive_link(config: Config, now: datetime) -> str | None:
    if not config.archive_url:
        return None
    return f"{config.archive_url.rstrip('/')}/{local_date(now, config.tz).isoformat()}.html"


def _with_failing_days(state: State, results: Sequence[SourceResult], now: datetime) -> list[SourceResult]:
    from .state.failures import failing_days

    days = failing_days(state.conn, now=now)
    return [
        dataclasses.replace(r, failing_days=days.get(r.name, 0) + 1) if r.status == "error" else r
        for r in results
    ]


# ---------------------------------------------------------------------------- outputs

def _check_out_dir(out: Path) -> None:
    """Fail before fetching anything if the digest could not be written at the end."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DigestError(f"--out {out}: cannot create the folder ({exc.strerror}); choose another --out") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise DigestError(f"--out {out}: the folder is not writable; choose another --out")


def write_outputs(out: Path, result: RunResult) -> list[Path]:
    """digest.html, digest.txt, digest.json, each replaced atomically (never half-written)."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "digest.html": result.html,
        "digest.txt": result.text,
        "digest.json": json.dumps(result.json, ensure_ascii=False, indent=2) + "\n",
    }
    written = []
    umask = os.umask(0)
    os.umask(umask)
    for name, content in files.items():
        target = out / name
        try:
            fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
        except OSError as exc:
            raise DigestError(f"--out {out}: cannot write {name} ({exc.strerror})") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(content)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; the digest is meant to be read
            os.replace(tmp, target)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise DigestError(f"--out {out}: cannot write {name} ({exc.strerror})") from None
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


@dataclass(frozen=True)
class _DeliveryPlan:
    recipients: list[Recipient]
    smtp: SmtpSettings


def _plan_delivery(config: Config) -> _DeliveryPlan:
    """Check addresses and DIGEST_SMTP_* before anything is fetched: a typo fails in a second."""
    from .deliver import SmtpSettings, config_sections, plan_delivery

    recipients = plan_delivery(config.email, None, config_file=config.path.name, base=config.path.parent,
                               known_sections=config_sections(config))
    return _DeliveryPlan(recipients=recipients, smtp=SmtpSettings.from_env())


def _deliver(config: Config, options: RunOptions, state: State, digest: Digest, plan: _DeliveryPlan) -> DailyDelivery:
    """Send the day's digest (deliver/daily.py keeps one digest per day)."""
    from .deliver.daily import deliver_daily

    def render_for(sub: Digest) -> tuple[str, str]:
        html, text, _ = render_digest(sub, config)
        return html, text

    return deliver_daily(state, digest, local_date(digest.generated_at, config.tz), plan.recipients, render_for,
                         settings=config.email, smtp=plan.smtp, force=options.force)


def _commit(config: Config, state: State, collected: _Collected, *, sent: Digest | None, this_run: bool,
            now: datetime) -> None:
    """Everything this run learned, in one transaction (the delivery records are written as sending happens).

    `sent` is the digest whose items now count as sent: this run's, the one the day already had
    (a re-run finishing it), or None when nobody got anything.
    """
    from .state import articles, days, failures, history

    with state.transaction() as conn:
        failures.record_results(
            conn, [(r.name, r.status != "error", r.error) for r in collected.results], now=now,
        )
        summary_cache.put_many(conn, collected.fresh_summaries)
        articles.put_many(conn, collected.fresh_articles)
        seen.remember(conn, [(i.id, now.timestamp()) for i in collected.items if not i.dated])
        seen.prune(conn, now.timestamp() - SEEN_RETENTION_DAYS * 86400)
        if sent is not None:
            # idempotent (a digest's rows are replaced): a re-run records the day's digest again in
            # case a crash kept the first run from committing
            history.record_sent(conn, sent.items, now=sent.generated_at)
        if this_run:
            # validators only move forward with the items: if nobody got today's digest,
            # tomorrow's run must fetch (not 304) and select the same items again
            for url, validators in collected.validators.items():
                http_cache.put(conn, url, validators)
            history.prune(conn, now=now, history_days=config.dedup.history_days)
            summary_cache.prune(conn, time.time() - CACHE_RETENTION_DAYS * 86400)
            articles.prune(conn, time.time() - CACHE_RETENTION_DAYS * 86400)
            days.prune(conn, time.time() - CACHE_RETENTION_DAYS * 86400)
