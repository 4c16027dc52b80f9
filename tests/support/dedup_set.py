"""The labelled dedup set in tests/data/dedup/ as Items, for its test and for bench/quality/dedup_written.py."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from digest.models import Item
from tests.support import paths

DATA = paths.DATA / "dedup"
BASE = datetime(2024, 6, 4, 8, tzinfo=UTC)


def load(name: str) -> tuple[list[Item], list[dict[str, Any]]]:
    """Items of one labelled file (one window), and for each its story, topic and kind."""
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    items: list[Item] = []
    labels: list[dict[str, Any]] = []
    for story in data["stories"]:
        for n, entry in enumerate(story["items"]):
            # each source on a host of its own, as copies of a story live on different sites
            url = f"https://{zlib.crc32(entry['source'].encode()) % 10**6}.example/{story['story']}/{n}"
            items.append(Item(
                id=url, url=url, title=entry["title"], source=entry["source"], section="all",
                published=BASE + timedelta(days=entry["day"], minutes=len(items)), dated=True,
                language=data["lang"], text=entry["text"] or "",
            ))
            labels.append({"story": story["story"], "topic": story["topic"], "kind": entry["kind"]})
    return items, labels
