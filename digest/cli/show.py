"""Terminal views: the digest as `digest preview` shows it, and the source list of `digest check`."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..config import Config, LayoutSettings
from ..models import Digest
from ..render import ItemView, build_view, char_width, text_width, wrap

MAX_WIDTH = 100  # wider lines are hard to read, even on a wide terminal


def _lines(console: Console, text: str, width: int, *, style: str = "", indent: str = "",
           subsequent: str | None = None) -> None:
    """Print text wrapped to `width` display cells (CJK counted as two, never inside a word)."""
    for line in wrap(text, width, indent, subsequent).splitlines():
        for part in fold(line, width):  # a URL, which wrap() never breaks, is folded here
            console.print(Text(part, style=style), soft_wrap=True)


def fold(line: str, width: int) -> list[str]:
    """A line wider than `width` cut into pieces that fit, the later ones indented like the first.

    Only a URL (which wrap() keeps whole) can be that wide; folding keeps all of it on screen, where
    shortening it would lose the part a reader needs to open it.  No escape codes (terminal links):
    every line is exactly as wide as it looks.
    """
    if text_width(line) <= width:
        return [line]
    lead = line[: len(line) - len(line.lstrip(" •"))]
    pad = " " * len(lead)
    room = max(width - len(lead), 10)
    parts: list[str] = []
    piece, used = "", 0
    for char in line[len(lead):]:
        if used + char_width(char) > room:
            parts.append(piece)
            piece, used = "", 0
        piece += char
        used += char_width(char)
    parts.append(piece)
    return [(lead if n == 0 else pad) + part for n, part in enumerate(parts)]


def _item(console: Console, item: ItemView, width: int, d_t: dict[str, str]) -> None:
    console.print()
    _lines(console, item.title, width, style="bold", indent="• ", subsequent="  ")
    meta = " · ".join(part for part in (
        item.source, f"{d_t['to_site']} {item.site}" if item.site else "", item.when,
        d_t["sponsored"] if item.sponsored else "",
    ) if part)
    _lines(console, meta, width, style="dim", indent="  ", subsequent="  ")
    blurb = item.summary if item.lead else item.brief
    if blurb:
        _lines(console, blurb, width, indent="    ")
    if item.url:
        _lines(console, item.url, width, style="dim", indent="  ")
    if item.also:
        _lines(console, d_t["also"] + ", ".join(a.source for a in item.also), width, style="dim", indent="  ",
               subsequent="    ")


def show_digest(digest: Digest, console: Console, *, layout: LayoutSettings | None = None) -> None:
    """The digest for a terminal: wrapped to its width, labels and dates in the digest's language."""
    from zoneinfo import ZoneInfo

    d = build_view(digest, layout=layout)
    t = dict(d.t)
    width = max(20, min(console.width, MAX_WIDTH))
    tz = ZoneInfo(digest.timezone)
    since = t["beginning"] if digest.since.year <= 1970 else digest.since.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    until = digest.until.astimezone(tz).strftime("%Y-%m-%d %H:%M") + f" ({digest.timezone})"
    console.print(Text("━" * width, style="bold"), soft_wrap=True)
    _lines(console, d.title, width, style="bold")
    _lines(console, d.date, width)
    window = t["preview_window"].replace("{since}", since).replace("{until}", until)
    _lines(console, window.replace("{count}", str(d.story_count)), width, style="dim")
    console.print(Text("━" * width, style="bold"), soft_wrap=True)
    if not d.sections and not d.more_stories:
        console.print()
        _lines(console, t["preview_empty"], width)
    for section in d.sections:
        console.print()
        heading = f"{section.name} ({section.count})"
        _lines(console, heading, width, style="bold cyan")
        console.print(Text("─" * min(text_width(heading), width), style="cyan"), soft_wrap=True)
        for item in section.items:
            _item(console, item, width, t)
    if d.more_stories or d.more_count:
        console.print()
        heading = f"{t['more_stories']} ({len(d.more_stories) + d.more_count})"
        _lines(console, heading, width, style="bold cyan")
        console.print(Text("─" * min(text_width(heading), width), style="cyan"), soft_wrap=True)
        for item in d.more_stories:
            _lines(console, f"{item.title} ({item.source})", width, indent="• ", subsequent="  ")
        if d.more_count:
            _lines(console, t["more_count"].replace("{n}", str(d.more_count)), width, style="dim")
    console.print()
    console.print(Text("─" * width, style="dim"), soft_wrap=True)
    _lines(console, d.report, width, style="dim")


def show_sources(config: Config, console: Console, *, rows: int = 500) -> None:
    """The valid config as a table; past `rows` sources only a count (rich took 95 s for 110,000 rows)."""
    table = Table(title=f"{config.path}: {len(config.sources)} sources, valid", title_justify="left")
    for column in ("#", "name", "type", "section", "url"):
        table.add_column(column, overflow="fold")
    for s in config.sources[:rows]:
        section = s.section or ("(item category)" if s.type == "listing" else s.name)
        table.add_row(str(s.index), s.name, s.type + (" +full text" if s.full_text else ""), section, s.url)
    console.print(table)
    if len(config.sources) > rows:
        console.print(f"… and {len(config.sources) - rows:,} more sources, all valid")
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
