"""The run report and the progress display, rendered by rich into a string as a user would see them."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from rich.console import Console

from digest.models import Digest, SourceResult, Stats
from digest.report import Progress, RunReport, print_report, summary_line, timing_line

SOURCES = (
    SourceResult("Hacker News", "https://news.ycombinator.com/rss", "ok", items=30),
    SourceResult("36氪", "https://36kr.com/feed", "not_modified"),
    SourceResult("Dead blog", "https://dead.example/feed", "error", error="HTTP 404 Not Found", failing_days=3),
    SourceResult("Slow", "https://slow.example/feed", "error", error="timed out (run deadline)", failing_days=1),
)
REPORT = RunReport(sources=SOURCES, fetched=30, duplicates=4, selected=12,
                   timings={"collect": 2.13, "normalize": 0.31, "summarize": 0.05})


def _console(terminal: bool = False) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=100, force_terminal=terminal, color_system=None, highlight=False), buffer


def test_summary_and_timing_lines() -> None:
    assert summary_line(REPORT) == "4 sources: 1 ok, 1 not modified, 2 failed · 30 items fetched, 4 duplicates merged, 12 selected"
    assert timing_line(REPORT.timings) == "collect 2.1s · normalize 0.3s · summarize 50ms · total 2.5s"
    assert timing_line({}) == ""


def test_report_lists_failed_sources_with_reasons() -> None:
    console, buffer = _console()
    print_report(REPORT, console)
    text = buffer.getvalue()
    assert text.splitlines()[0] == summary_line(REPORT)
    assert "Dead blog" in text and "HTTP 404 Not Found (failing for 3 days)" in text
    assert "timed out (run deadline)" in text
    assert "failing for 1 days" not in text  # the first day of a failure is not a streak yet
    assert "Hacker News" not in text  # ok sources only with verbose
    assert text.rstrip().splitlines()[-1] == timing_line(REPORT.timings)


def test_verbose_report_lists_every_source() -> None:
    console, buffer = _console()
    print_report(REPORT, console, verbose=True)
    text = buffer.getvalue()
    for name in ("Hacker News", "36氪", "Dead blog", "Slow"):
        assert name in text
    assert "not modified" in text


@dataclass
class _FakeResult:  # the shape of pipeline.RunResult that the report reads
    digest: Digest
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def test_report_from_a_pipeline_result() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    digest = Digest(title="t", generated_at=now, since=now, until=now, timezone="UTC", language="en",
                    sections=(), sources=SOURCES, stats=Stats(fetched=30, duplicates=4, selected=12))
    result = _FakeResult(digest, timings=dict(REPORT.timings), warnings=["template X is missing a footer"])
    assert RunReport.from_result(result) == RunReport(**{**REPORT.__dict__, "warnings": ("template X is missing a footer",)})
    console, buffer = _console()
    print_report(result, console)
    assert "warning: template X is missing a footer" in buffer.getvalue()


def test_plain_progress_prints_one_line_per_source() -> None:
    console, buffer = _console(terminal=False)
    with Progress(len(SOURCES), console=console) as progress:
        progress.phase("collect")
        for source in SOURCES:
            progress.source_done(source)
        progress.phase("summarize")
    assert buffer.getvalue().splitlines() == [
        "[1/4] Hacker News: ok, 30 items",
        "[2/4] 36氪: not modified",
        "[3/4] Dead blog: failed: HTTP 404 Not Found",
        "[4/4] Slow: failed: timed out (run deadline)",
        "summarizing…",
    ]
    assert (progress.done, progress.failed) == (4, 2)


def test_quiet_progress_prints_nothing() -> None:
    console, buffer = _console(terminal=True)
    with Progress(len(SOURCES), console=console, enabled=False) as progress:
        for source in SOURCES:
            progress.source_done(source)
    assert buffer.getvalue() == "" and progress.done == 4


def test_live_bar_on_a_terminal_is_transient() -> None:
    console, buffer = _console(terminal=True)
    with Progress(len(SOURCES), console=console, live=True) as progress:
        progress.phase("collect")
        for source in SOURCES:
            progress.source_done(source)
    output = buffer.getvalue()
    assert "Hacker News: ok" not in output  # no plain lines on a terminal
    assert "collecting" in output  # the bar was drawn


@pytest.mark.parametrize(("env", "terminal", "live"), [({}, True, True), ({"CI": "true"}, True, False), ({}, False, False)])
def test_bar_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], terminal: bool, live: bool) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    console, _ = _console(terminal=terminal)
    assert Progress(1, console=console).live is live


def test_each_phase_is_shown_once_and_the_source_count_stays_with_the_collection() -> None:
    """The bar used to keep '4/4 2 failed' through every later phase ('rendering 4/4 2 failed', again and again)."""
    console, buffer = _console(terminal=True)
    console.width = 80
    with Progress(len(SOURCES), console=console, live=True) as progress:
        progress.phase("collect")
        for source in SOURCES:
            progress.source_done(source)
        for name in ("dedup", "select", "summarize", "render", "render", "write"):
            progress.phase(name)
    frames = [frame for frame in re.split(r"[\r\n]|\x1b\[[0-9;?]*[A-Za-z]", buffer.getvalue()) if frame.strip()]
    later = [frame for frame in frames if any(label in frame for label in ("deduplicating", "rendering", "writing"))]
    assert later, frames
    assert all("failed" not in frame and "4/4" not in frame for frame in later), later
    assert all(len(frame) <= 80 for frame in frames)


def test_plain_progress_prints_a_phase_once_even_if_it_is_entered_again() -> None:
    console, buffer = _console(terminal=False)
    with Progress(1, console=console) as progress:
        for name in ("collect", "render", "render", "write"):
            progress.phase(name)
    assert buffer.getvalue().splitlines() == ["rendering…", "writing…"]
