"""`digest check --source NAME`: what one source gave, as a table a user can tune selectors against."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..probe import ProbeResult

MAX_ROWS = 40
_SELECTOR_HINT = (
    "Open the page in a browser, inspect one item and check the selector "
    "(select.item picks one element per item; the other keys are read inside it)."
)


def show_probe(result: ProbeResult, console: Console) -> None:
    """Print the probe: a header, the selector, warnings, and one row per extracted item."""
    source = result.source
    console.print(f"[bold]{escape(source.name)}[/] [dim]({source.type})[/] {escape(result.url)}")
    if result.size:
        read = f"read {_size(result.size)} in {result.elapsed:.1f} s"
        console.print(f"[dim]{read}{f', charset {result.charset}' if result.charset else ''}[/dim]")
    if result.selector:
        how = "detected" if result.detected else "from feeds.yaml"
        console.print(f"item selector: [bold]{escape(result.selector)}[/] [dim]({how}, {result.items_matched} elements)[/dim]")
        if result.detected:
            console.print("[dim]To pin it, add to the source:  select: {item: \"" + escape(result.selector) + "\"}[/dim]")
    for warning in result.warnings:
        console.print(f"[yellow]⚠ {escape(warning)}[/yellow]")
    if not result.ok:
        console.print(f"[bold red]✗ {escape(result.error or 'failed')}[/]")
        if result.error and "select." in result.error:
            console.print(f"[dim]{_SELECTOR_HINT}[/dim]")
        return

    table = Table(title=f"{len(result.items)} items", title_justify="left", show_lines=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("title", overflow="fold", ratio=3)
    table.add_column("date", overflow="fold", ratio=1)
    table.add_column("section", overflow="fold", ratio=1)
    table.add_column("link", overflow="fold", ratio=2, style="cyan")
    table.add_column("summary", overflow="fold", ratio=3)
    for index, item in enumerate(result.items[:MAX_ROWS], start=1):
        raw = result.raw_dates[index - 1] if index - 1 < len(result.raw_dates) else None
        table.add_row(
            str(index), escape(item.title), _date(item.published if item.dated else None, raw, time_known=item.time_known), escape(item.section),
            escape(item.url), escape(_clip(item.text, 120)),
        )
    console.print(table)
    if len(result.items) > MAX_ROWS:
        console.print(f"[dim]… and {len(result.items) - MAX_ROWS} more[/dim]")
    undated = sum(1 for i in result.items if not i.dated)
    if undated and source.type == "listing":
        hint = " (set select.date to the element holding the date)" if source.select and not source.select.date else ""
        console.print(f"[yellow]{undated} of {len(result.items)} items have no readable date{hint}[/yellow]")
    for item_id, note in result.full_text.items():
        console.print(f"[dim]full text of the first item ({escape(item_id)}): {escape(note)}[/dim]")


def _date(moment: datetime | None, raw: str | None, *, time_known: bool = True) -> str:
    if moment is None:
        return f"[yellow]? {escape(raw)}[/yellow]" if raw else "[dim]—[/dim]"
    text = moment.strftime("%Y-%m-%d %H:%M" if time_known else "%Y-%m-%d")  # a day alone has no 00:00
    if raw and raw.strip() and raw.strip() != text:
        return f"{text}\n[dim]{escape(_clip(raw, 30))}[/dim]"
    return text


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _size(count: int) -> str:
    return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"
