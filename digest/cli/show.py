"""Terminal views: the digest as `digest preview` shows it, and the source list of `digest check`."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..config import Config
from ..models import Digest


def relative_time(moment: datetime, now: datetime) -> str:
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "just now"
    if seconds < 3600:
        return f"{max(1, int(seconds // 60))} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def show_digest(digest: Digest, console: Console) -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(digest.timezone)
    since = "the beginning" if digest.since.year <= 1970 else digest.since.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    until = digest.until.astimezone(tz).strftime("%Y-%m-%d %H:%M") + f" ({digest.timezone})"
    console.rule(f"[bold]{escape(digest.title)}[/]")
    console.print(f"[dim]{since} → {until} · {digest.stats.selected} stories[/]")
    if not digest.sections:
        console.print("\nNo new stories in this window. Try a longer one: [bold]--since 7d[/]")
    for section in digest.sections:
        console.print()
        console.rule(f"[bold cyan]{escape(section.name)}[/]", align="left")
        for item in section.items:
            when = relative_time(item.published, digest.generated_at) if item.dated else "undated"
            console.print(f"\n[bold][link={escape(item.url)}]{escape(item.title)}[/link][/bold]")
            console.print(f"[dim]{escape(item.source)} · {when} · {escape(item.url)}[/dim]")
            if item.summary:
                console.print(escape(item.summary))
            if item.also:
                names = ", ".join(escape(a.source) for a in item.also)
                console.print(f"[dim]also: {names}[/dim]")
    failed = [s for s in digest.sources if s.status == "error"]
    if failed:
        console.print()
        for s in failed:
            console.print(f"[yellow]⚠ {escape(s.name)}: {escape(s.error or 'failed')}[/yellow]")


def show_sources(config: Config, console: Console) -> None:
    table = Table(title=f"{config.path}: {len(config.sources)} sources, valid", title_justify="left")
    for column in ("#", "name", "type", "section", "url"):
        table.add_column(column, overflow="fold")
    for s in config.sources:
        section = s.section or ("(item category)" if s.type == "listing" else s.name)
        table.add_row(str(s.index), s.name, s.type + (" +full text" if s.full_text else ""), section, s.url)
    console.print(table)
    try:
        from ..state import open_state
        from ..state.failures import failing_since

        state = open_state(config.state, readonly=True)
        try:
            dead = failing_since(state.conn, 7, now=datetime.now(config.tz))
        finally:
            state.close()
    except Exception:
        dead = []
    names = {s.name for s in config.sources}
    for row in dead:
        if row.source in names:
            reason = f": {row.last_error}" if row.last_error else ""
            console.print(f"[yellow]⚠ {escape(row.source)} is {row.label}{escape(reason)} — "
                          "check its URL, or remove it from the config[/yellow]")
