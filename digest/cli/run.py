"""`digest run`, `digest preview`, `digest check` and `digest explain`: options in, one library call out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .app import app, err, out, setup_logging, user_errors

if TYPE_CHECKING:
    from ..config import Config
    from ..pipeline import RunOptions, RunResult

ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="The feeds.yaml to read.", show_default=True)]
SinceOpt = Annotated[str | None, typer.Option(help="Window start: 24h, 7d, 2024-06-01 or all (default: `since:` in the config).")]
NowOpt = Annotated[str | None, typer.Option(help="Pin 'now' (ISO-8601) for a reproducible run.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Print debug logs (dates not understood, cache hits).")]


def _load(config: Path) -> Config:
    from ..config import load_config

    return load_config(config)


def _deadline(value: str | None) -> float | None:
    if value is None:
        return None
    from ..errors import UsageError
    from ..timewindow import parse_duration

    try:
        return parse_duration(value).total_seconds()
    except ValueError as exc:
        raise UsageError(f"--deadline: {exc}") from None


def _execute(config: Config, options: RunOptions, *, quiet: bool, preview: bool = False) -> RunResult:
    from .. import pipeline
    from ..report import Progress

    with Progress(len(config.sources), console=err, enabled=not quiet) as progress:
        options = _with_progress(options, progress)
        return pipeline.preview(config, options) if preview else pipeline.run(config, options)


def _with_progress(options: RunOptions, progress: Any) -> RunOptions:
    import dataclasses

    return dataclasses.replace(options, on_source=progress.source_done, on_phase=progress.phase)


@app.command()
@user_errors
def run(
    config: ConfigOpt = Path("feeds.yaml"),
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for digest.html, digest.txt and digest.json.")] = Path("out"),
    since: SinceOpt = None,
    now: NowOpt = None,
    send: Annotated[bool, typer.Option("--send", help="E-mail the digest to the subscribers after writing it.")] = False,
    force: Annotated[bool, typer.Option("--force", help="With --send: resend to subscribers who already got today's digest.")] = False,
    archive: Annotated[Path | None, typer.Option(help="Also write the web archive (DIR/YYYY-MM-DD.html, index.html, feed.xml).")] = None,
    deadline: Annotated[str | None, typer.Option(help="Give up on sources not done after this long (90s, 5m).")] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Collect, deduplicate, summarise and write today's digest (and send it with --send)."""
    setup_logging(verbose, quiet)
    from ..pipeline import RunOptions
    from ..report import print_report

    cfg = _load(config)
    options = RunOptions(out=out_dir, since=since, now=now, send=send, force=force, archive=archive,
                         deadline=_deadline(deadline))
    result = _execute(cfg, options, quiet=quiet)
    if not quiet:
        print_report(result, err)
        for path in result.files[:3]:
            out.print(f"wrote {path}")
        if result.delivery is not None:  # a failed delivery is an error line; a good one is said too
            for line in result.delivery.warnings:
                err.print(f"warning: {line}", markup=False, highlight=False)
            out.print(f"{result.delivery.digest_date}: {result.delivery.summary()}", markup=False, highlight=False)


@app.command()
@user_errors
def preview(
    config: ConfigOpt = Path("feeds.yaml"),
    since: SinceOpt = None,
    now: NowOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="Also show why items were merged or dropped.")] = False,
    text: Annotated[bool, typer.Option("--text", help="Print the plaintext e-mail instead of the terminal view.")] = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Show the digest in the terminal as it would go out; nothing is written or remembered."""
    setup_logging(verbose, quiet)
    from ..pipeline import RunOptions
    from ..report import print_report
    from .show import show_digest

    cfg = _load(config)
    result = _execute(cfg, RunOptions(since=since, now=now), quiet=quiet, preview=True)
    if text:
        out.print(result.text, markup=False, highlight=False)
    else:
        show_digest(result.digest, out, layout=cfg.layout)
    if explain:
        from .explain import show_decisions

        show_decisions(result.decisions, out)
    if not quiet:
        print_report(result, err)


@app.command()
@user_errors
def check(
    config: ConfigOpt = Path("feeds.yaml"),
    source: Annotated[str | None, typer.Option("--source", "-s", help="Fetch this one source and show what was extracted.")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Validate feeds.yaml and list the sources (no network); --source NAME fetches one."""
    setup_logging(verbose)
    cfg = _load(config)
    if source is not None:
        from ..probe import probe_source
        from .check_source import show_probe

        probe = probe_source(cfg, cfg.source(source).name)
        show_probe(probe, out)
        if not probe.ok:
            raise typer.Exit(1)
        return
    from .show import show_sources

    show_sources(cfg, out)


@app.command()
@user_errors
def explain(
    url: Annotated[str, typer.Argument(help="The link of the item you expected to see (or one that was merged).")],
    config: ConfigOpt = Path("feeds.yaml"),
    since: SinceOpt = None,
    now: NowOpt = None,
) -> None:
    """Say why an item was merged into another story or dropped as already sent."""
    setup_logging(False, True)
    from ..pipeline import RunOptions
    from .explain import show_decisions

    cfg = _load(config)
    result = _execute(cfg, RunOptions(since=since, now=now), quiet=True, preview=True)
    if not show_decisions(result.decisions, out, url=url):
        err.print(f"digest: {url} was neither merged nor dropped in this window "
                  "(is it in the window? try --since 7d)")
        raise typer.Exit(1)


