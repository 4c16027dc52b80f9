"""The digest `digest run` last wrote to its output folder, read back for `digest send`.

`digest.json` (schema 1) gives the Digest (for the subject, the date and per-subscriber
sections); `digest.html` and `digest.txt` are sent as written, so what a person previewed is
exactly what subscribers who take every section receive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..models import AlsoRef, Digest, Item, Section, SourceResult, Stats

FILES = ("digest.json", "digest.html", "digest.txt")


@dataclass(frozen=True)
class Outbox:
    digest: Digest
    html: str
    text: str
    folder: Path


def load_outbox(folder: Path) -> Outbox:
    """Read digest.json/.html/.txt from `folder`; ConfigError saying how to produce them if missing or unreadable."""
    contents: dict[str, str] = {}
    for name in FILES:
        path = folder / name
        try:
            contents[name] = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(str(path), "", "not found: run `digest run --out "
                              f"{folder}` first, or point --out at the folder it wrote") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(path), "", f"cannot read it ({exc.__class__.__name__})") from None
    label = str(folder / "digest.json")
    try:
        doc = json.loads(contents["digest.json"])
    except json.JSONDecodeError as exc:
        raise ConfigError(label, f"line {exc.lineno}", f"not valid JSON ({exc.msg}); run `digest run` again") from None
    try:
        digest = digest_from_json(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(label, "", f"not a digest.json of schema 1 ({exc.__class__.__name__}: {exc}); "
                          "run `digest run` again") from None
    return Outbox(digest=digest, html=contents["digest.html"], text=contents["digest.txt"], folder=folder)


def digest_from_json(doc: dict[str, Any]) -> Digest:
    """A Digest from a schema-1 document; item text is the summary (the JSON does not carry full text)."""
    if doc.get("schema") != 1:
        raise ValueError(f"schema is {doc.get('schema')!r}, expected 1")
    order = {str(s["name"]): i for i, s in enumerate(doc.get("sources", []))}
    sections = []
    for section in doc["sections"]:
        items = tuple(_item(raw, order) for raw in section["items"])
        sections.append(Section(name=str(section["name"]), items=items))
    sources = tuple(
        SourceResult(name=str(s["name"]), url=str(s.get("url", "")), status=s.get("status", "ok"),
                     items=int(s.get("items") or 0), error=s.get("error"), failing_days=int(s.get("failing_days") or 0))
        for s in doc.get("sources", [])
    )
    stats = doc.get("stats") or {}
    return Digest(
        title=str(doc["title"]),
        generated_at=_time(doc["generated_at"]),
        since=_time(doc["since"]),
        until=_time(doc["until"]),
        timezone=str(doc.get("timezone") or "UTC"),
        language=str(doc.get("language") or "en"),
        sections=tuple(sections),
        sources=sources,
        stats=Stats(fetched=int(stats.get("fetched", 0)), duplicates=int(stats.get("duplicates", 0)),
                    selected=int(stats.get("selected", 0))),
        archive_url=doc.get("archive_url"),
        left_out=tuple(_item(raw, order) for raw in doc.get("left_out") or ()),
        ranking=tuple(str(raw["id"]) for raw in sorted(
            (raw for section in doc["sections"] for raw in section["items"] if isinstance(raw.get("rank"), int)),
            key=lambda raw: raw["rank"])),
    )


def _item(raw: dict[str, Any], order: dict[str, int]) -> Item:
    summary = str(raw.get("summary") or "")
    return Item(
        id=str(raw["id"]),
        url=str(raw["url"]),
        title=str(raw["title"]),
        source=str(raw.get("source", "")),
        section=str(raw.get("section", "")),
        published=_time(raw["published"]),
        dated=bool(raw.get("dated", True)),
        time_known=bool(raw.get("time_known", True)),
        language=str(raw.get("language") or "en"),
        text=summary,
        author=raw.get("author"),
        summary=summary,
        summary_sentences=tuple(str(s) for s in raw.get("summary_sentences") or ()),
        also=tuple(AlsoRef(title=str(a.get("title", "")), url=str(a.get("url", "")), source=str(a.get("source", "")),
                           similarity=float(a.get("similarity", 1.0))) for a in raw.get("also") or ()),
        source_index=order.get(str(raw.get("source", "")), 0),
    )


def _time(text: Any) -> datetime:
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return moment
