"""digest.json, schema 1: the machine-readable digest that users and our checks script against.

Later versions may add keys; they never rename or remove one (see README, "digest.json").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..models import Digest, Item

SCHEMA_VERSION = 1


def _time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _item(item: Item, tz: ZoneInfo, rank: int | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "url": item.url,
        "source": item.source,
        "section": item.section,
        "published": _time(item.published.astimezone(tz)),
        "dated": item.dated,
        "language": item.language,
        "author": item.author,
        "summary": item.summary,
        "summary_sentences": list(item.summary_sentences),
        "also": [
            {"title": a.title, "url": a.url, "source": a.source, "similarity": round(a.similarity, 3)}
            for a in item.also
        ],
    }
    if rank is not None:
        doc["rank"] = rank  # 0 = the best-ranked story (coverage, then recency); decides the lead stories
    if not item.time_known:
        # a day without a time: 00:00 of that day where the source is, so the day stays the day
        doc["published"] = _time(item.published)
        doc["time_known"] = False
    return doc


def digest_to_json(digest: Digest, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The schema-1 document for `digest`; `extra` adds top-level keys (never replaces one)."""
    tz = ZoneInfo(digest.timezone)
    rank = {item_id: position for position, item_id in enumerate(digest.ranking)}
    doc: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "title": digest.title,
        "generated_at": _time(digest.generated_at.astimezone(tz)),
        "since": _time(digest.since.astimezone(tz)),
        "until": _time(digest.until.astimezone(tz)),
        "timezone": digest.timezone,
        "language": digest.language,
        "sections": [
            {"name": section.name, "items": [_item(i, tz, rank.get(i.id)) for i in section.items]}
            for section in digest.sections
        ],
        "sources": [
            {
                "name": s.name,
                "url": s.url,
                "status": s.status,
                "items": s.items,
                "error": s.error,
                "failing_days": s.failing_days,
            }
            for s in digest.sources
        ],
        "stats": {
            "fetched": digest.stats.fetched,
            "duplicates": digest.stats.duplicates,
            "selected": digest.stats.selected,
        },
    }
    # added in schema 1 (keys are only ever added): the stories a cap left out, best-ranked first
    doc["left_out"] = [_item(i, tz) for i in digest.left_out]
    for key, value in (extra or {}).items():
        doc.setdefault(key, value)
    return doc
