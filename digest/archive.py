"""The web archive: each day's digest as DIR/YYYY-MM-DD.html, an index.html and an Atom feed.xml.

The folder is ready to publish as it is (GitHub Pages), so readers can browse past digests and
subscribe to the digest itself.  A small manifest (archive.json) remembers each day's headlines for
the index and the feed; pages on disk are the truth, so a lost manifest is rebuilt from them.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import date
from html import unescape as html_unescape
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .models import Digest
from .render import environment, labels, long_date, render_template, zone

MANIFEST = "archive.json"
INDEX = "index.html"
FEED = "feed.xml"
FEED_ENTRIES = 30  # feed readers only need the recent days; the index lists them all
HEADLINES = 10  # per day, in the manifest and the feed entry
_PAGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.html$")
_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Headline:
    title: str
    url: str
    source: str


@dataclass(frozen=True)
class ArchivedDay:
    """One day in the archive, as the index and the feed show it."""

    date: str  # YYYY-MM-DD in the digest's timezone; also the page's file name
    title: str
    generated_at: str  # ISO 8601 with offset
    stories: int
    language: str
    headlines: tuple[Headline, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.date}.html"


def write_archive(
    directory: Path,
    digest: Digest,
    html: str,
    *,
    site_url: str | None,
    templates: Path | None = None,
) -> list[Path]:
    """Write today's page, then rebuild index.html, feed.xml and archive.json; returns the files written.

    Re-running on the same day replaces that day's page and entry.  `site_url` (the archive's public
    root) makes the feed's links absolute, as Atom readers want; without it links are relative.
    """
    local = digest.generated_at.astimezone(zone(digest))
    today = ArchivedDay(
        date=local.date().isoformat(),
        title=digest.title,
        generated_at=local.isoformat(timespec="seconds"),
        stories=len(digest.items),
        language=digest.language,
        headlines=tuple(Headline(i.title, i.url, i.source) for i in digest.items[:HEADLINES]),
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        page = _write(directory / today.file, html)
        days = _merge(_load(directory), today)
        env = environment(templates)
        base = site_url.rstrip("/") + "/" if site_url else ""
        context = {
            "days": days,
            "latest": today,
            "title": digest.title,
            "language": digest.language,
            "t": labels(digest.language),
            "base": base,
            "feed_id": _feed_id(digest.title, base),
            "entry_id": lambda day: _entry_id(day, base),
            "long_date": _long_date,
        }
        index = _write(directory / INDEX, render_template(env, "archive_index.html.j2", context))
        feed = _write(directory / FEED, render_template(env, "feed.xml.j2", {**context, "days": days[:FEED_ENTRIES]}))
        manifest = _write(directory / MANIFEST, _dump(days))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            str(directory), "archive", f"cannot write the web archive: {reason}; check the `archive:` folder"
        ) from None
    return [page, index, feed, manifest]


def read_archive(directory: Path) -> list[ArchivedDay]:
    """The archived days, newest first: the pages on disk, with what the manifest knows about them."""
    return _merge(_load(directory), None)


def _long_date(day: ArchivedDay) -> str:
    when = date.fromisoformat(day.date)
    return long_date(when.year, when.month, when.day, when.weekday(), day.language)


def _feed_id(title: str, base: str) -> str:
    """The site URL when there is one (stable and unique); else a name-based URN that stays the same run to run."""
    return base or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'digest:' + title)}"


def _entry_id(day: ArchivedDay, base: str) -> str:
    if base:
        return base + day.file
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'digest:{day.title}:{day.date}')}"


def _load(directory: Path) -> dict[str, ArchivedDay]:
    """Manifest entries for the pages that exist, plus any page the manifest does not know (title from <title>)."""
    known: dict[str, ArchivedDay] = {}
    try:
        raw: Any = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        for entry in raw.get("digests", []):
            heads = tuple(Headline(**h) for h in entry.get("headlines", ()))
            archived = ArchivedDay(**{**entry, "headlines": heads})
            known[archived.date] = archived
    except (OSError, ValueError, TypeError, AttributeError):
        known = {}  # missing or damaged: rebuilt from the pages below
    days: dict[str, ArchivedDay] = {}
    if not directory.is_dir():
        return days
    for path in directory.iterdir():
        match = _PAGE.match(path.name)
        if not match:
            continue
        day = match.group(1)
        days[day] = known.get(day) or _from_page(path, day)
    return days


def _from_page(path: Path, day: str) -> ArchivedDay:
    head = path.read_text(encoding="utf-8", errors="replace")[:4096]
    found = _TITLE.search(head)
    title = html_unescape(re.sub(r"\s+", " ", found.group(1)).split(" · ")[0].strip()) if found else day
    lang = re.search(r'<html[^>]*\blang="([^"]+)"', head)
    language = lang.group(1) if lang else "en"
    return ArchivedDay(date=day, title=title, generated_at=f"{day}T00:00:00+00:00", stories=0, language=language)


def _merge(days: dict[str, ArchivedDay], today: ArchivedDay | None) -> list[ArchivedDay]:
    if today is not None:
        days[today.date] = today
    return sorted(days.values(), key=lambda d: d.date, reverse=True)


def _dump(days: list[ArchivedDay]) -> str:
    return json.dumps({"schema": 1, "digests": [asdict(d) for d in days]}, ensure_ascii=False, indent=1) + "\n"


def _write(path: Path, text: str) -> Path:
    """Write through a temporary file and rename, so a published folder never holds half a page."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path
