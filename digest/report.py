"""What a run shows a person: live progress over the sources, then a report of what happened.

On a terminal, progress is a rich bar that disappears when the run ends; in CI or when
stderr is not a terminal it is plain lines, one per source, so logs stay readable.  The
report (counts, failed sources with reasons, time per phase) prints the same either way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .models import SourceResult

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

PHASE_LABELS = {
    "collect": "collecting",
    "full text": "fetching full text",
    "normalize": "normalizing",
    "dedup": "deduplicating",
    "select": "selecting",
    "summarize": "summarizing",
    "render": "rendering",
    "write": "writing",
    "deliver": "sending",
    "commit": "saving state",
}


@dataclass(frozen=True)
class RunReport:
    """Everything the end-of-run report prints; built from a pipeline result by `from_result`."""

    sources: tuple[SourceResult, ...] = ()
    fetched: int = 0  # items read from all sources
    duplicates: int = 0  # items merged into another story
    selected: int = 0  # items in the digest
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds per phase, in run order
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> tuple[SourceResult, ...]:
        return tuple(s for s in self.sources if s.status == "ok")

    @property
    def not_modified(self) -> tuple[SourceResult, ...]:
        return tuple(s for s in self.sources if s.status == "not_modified")

    @property
    def failed(self) -> tuple[SourceResult, ...]:
        return tuple(s for s in self.sources if s.status == "error")

    @property
    def total_time(self) -> float:
        return sum(self.timings.values())

    @classmethod
    def from_result(cls, result: Any) -> RunReport:
        """From a `pipeline.RunResult` (duck-typed, so this module never imports the pipeline)."""
        digest = result.digest
        stats = digest.stats
        return cls(
            sources=tuple(digest.sources),
            fetched=stats.fetched,
            duplicates=stats.duplicates,
            selected=stats.selected,
            timings=dict(getattr(result, "timings", {}) or {}),
            warnings=tuple(getattr(result, "warnings", ()) or ()),
        )


def failing_note(source: SourceResult) -> str:
    """'failing for 3 days' once a source has failed more than one day in a row, else ''."""
    days = source.failing_days
    return f"failing for {days} days" if days > 1 else ""


def summary_line(report: RunReport) -> str:
    """'12 sources: 9 ok, 2 not modified, 1 failed · 230 items, 14 duplicates merged, 50 selected'."""
    n = len(report.sources)
    parts = [f"{len(report.ok)} ok"]
    if report.not_modified:
        parts.append(f"{len(report.not_modified)} not modified")
    parts.append(f"{len(report.failed)} failed")
    return (
        f"{n} source{'s' if n != 1 else ''}: {', '.join(parts)} · {report.fetched} item{'s' if report.fetched != 1 else ''} "
        f"fetched, {report.duplicates} duplicate{'s' if report.duplicates != 1 else ''} merged, {report.selected} selected"
    )


def timing_line(timings: Mapping[str, float]) -> str:
    """'collect 2.1s · normalize 0.3s · … · total 3.0s'."""
    if not timings:
        return ""
    parts = [f"{name} {_secs(seconds)}" for name, seconds in timings.items()]
    return " · ".join([*parts, f"total {_secs(sum(timings.values()))}"])


def _secs(seconds: float) -> str:
    if seconds >= 60:
        return f"{int(seconds // 60)}m{seconds % 60:02.0f}s"
    return f"{seconds:.1f}s" if seconds >= 0.1 else f"{seconds * 1000:.0f}ms"


def print_report(report: RunReport | Any, console: Console, *, verbose: bool = False) -> None:
    """Print the end-of-run report: summary, failed sources with reasons, time per phase.

    Accepts a RunReport or a pipeline RunResult.  `verbose` lists every source, not only
    the failed ones.
    """
    from rich.table import Table
    from rich.text import Text

    if not isinstance(report, RunReport):
        report = RunReport.from_result(report)
    # soft_wrap=False: wrapped at word boundaries to the terminal, whatever the console's default
    console.print(Text(summary_line(report), style="bold"), soft_wrap=False)
    shown: Sequence[SourceResult] = report.sources if verbose else report.failed
    if shown:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
        table.add_column("source", overflow="fold")
        table.add_column("status", no_wrap=True)
        table.add_column("items", justify="right", no_wrap=True)
        table.add_column("reason", overflow="fold")
        for source in shown:
            status = {"ok": "ok", "not_modified": "not modified", "error": "failed"}[source.status]
            style = "red" if source.status == "error" else "dim" if source.status == "not_modified" else ""
            note = failing_note(source)
            reason = source.error or ""
            if note:
                reason = f"{reason} ({note})" if reason else note
            table.add_row(Text(source.name), Text(status, style=style), str(source.items), Text(reason))
        console.print(table)
    for warning in report.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"), soft_wrap=False)
    line = timing_line(report.timings)
    if line:
        console.print(Text(line, style="dim"), soft_wrap=False)


def interactive(console: Console) -> bool:
    """A live bar only on a real terminal, and never in CI (where logs want plain lines)."""
    return bool(console.is_terminal) and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class Progress:
    """Progress over the sources and phases of one run; a context manager.

    Use `source_done` as `RunOptions.on_source` and `phase` as `RunOptions.on_phase`.
    `enabled=False` (--quiet) prints nothing; `live=None` picks a bar on a terminal and
    plain lines elsewhere.
    """

    def __init__(self, total: int, *, console: Console, enabled: bool = True, live: bool | None = None) -> None:
        self.total = total
        self.console = console
        self.enabled = enabled
        self.live = interactive(console) if live is None else live
        self.done = 0
        self.failed = 0
        self.current_phase = ""
        self._started = time.perf_counter()
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None
        self._shown: set[str] = set()
        self._phases_only = False  # the collection bar has given way to the phase spinner

    def __enter__(self) -> Progress:
        if self.enabled and self.live:
            from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn

            # about 60 cells: a line wider than the terminal wraps, and the redraw then repeats it
            self._start_bar(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(),
                TextColumn("{task.fields[note]}", style="dim"), TimeElapsedColumn(),
                description="collecting", total=self.total or None,
            )
        return self

    def _start_bar(self, *columns: Any, description: str, total: int | None) -> None:
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(*columns, console=self.console, transient=True)
        self._bar.start()
        self._task = self._bar.add_task(description, total=total, note="")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def phase(self, name: str) -> None:
        """A new phase began (collect, normalize, …); each is shown once, however often it is entered."""
        self.current_phase = name
        label = PHASE_LABELS.get(name, name)
        if not self.enabled or name in self._shown:
            return
        self._shown.add(name)
        if self._bar is not None and self._task is not None:
            if name != "collect" and not self._phases_only:
                # The sources are done: the count and the failures stay behind with the collection
                # (the report says them); later phases show a spinner and their name, nothing more.
                from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

                self._bar.stop()
                self._phases_only = True
                self._start_bar(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                description=label, total=None)
            else:
                self._bar.update(self._task, description=label)
        elif not self.live and name != "collect":
            self.console.print(f"{label}…", highlight=False, markup=False)

    def source_done(self, result: SourceResult) -> None:
        """One source finished (ok, not modified or failed)."""
        self.done += 1
        if result.status == "error":
            self.failed += 1
        if not self.enabled:
            return
        if self._bar is not None and self._task is not None and not self._phases_only:
            note = f"{self.failed} failed" if self.failed else ""
            self._bar.update(self._task, advance=1, note=note)
            return
        if self.live:
            return
        width = len(str(self.total or self.done))
        if result.status == "error":
            what = f"failed: {result.error or 'unknown error'}"
        elif result.status == "not_modified":
            what = "not modified"
        else:
            what = f"ok, {result.items} item{'s' if result.items != 1 else ''}"
        self.console.print(f"[{self.done:>{width}}/{self.total}] {result.name}: {what}", highlight=False, markup=False,
                           soft_wrap=False)
