"""The values that flow through the pipeline; a leaf module that imports nothing of digest.

Every source adapter returns `Entry` values; `normalize` turns them into `Item` values,
and no step after that sees a feedparser dict or an HTML tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

SourceStatus = Literal["ok", "not_modified", "error"]
Language = Literal["zh", "en"]  # the languages digest labels, dates and summarizes in


def language_of(tag: str) -> Language:
    """"zh" for any Chinese tag (zh, zh-CN, zh-Hant), else "en": the one place a tag becomes a language."""
    return "zh" if tag.lower().startswith("zh") else "en"


@dataclass(frozen=True)
class Entry:
    """One entry as a source adapter read it: raw strings, nothing cleaned yet."""

    title: str = ""  # HTML: adapters escape plain-text titles, so "a<b" survives as text
    link: str | None = None
    guid: str | None = None
    content: str = ""  # HTML (or text) of the full content, if the source has it
    summary: str = ""  # HTML (or text) of the teaser/description
    author: str | None = None
    published: datetime | None = None  # tz-aware when the adapter could place it
    published_raw: str | None = None  # the date string as written, for re-parsing
    category: str | None = None
    base_url: str = ""  # what relative links in this entry resolve against


@dataclass(frozen=True)
class AlsoRef:
    """Another copy of the same story, shown under the representative item."""

    title: str
    url: str
    source: str
    similarity: float = 1.0  # 1.0 for exact (same id / URL) duplicates


@dataclass(frozen=True)
class Item:
    """One normalized story, the unit of dedup, selection, summary and rendering."""

    id: str
    url: str
    title: str
    source: str
    section: str
    published: datetime  # tz-aware; the first-seen time when the source gave none
    dated: bool  # False when `published` is the first-seen time
    language: str  # "zh" or "en" (by script)
    text: str  # cleaned plain text (paragraphs separated by blank lines)
    author: str | None = None
    summary: str = ""
    summary_sentences: tuple[str, ...] = ()
    also: tuple[AlsoRef, ...] = ()
    # Where in the config the item's source stands; keeps sections in config order.
    source_index: int = 0
    # False when the source gave a day without a time ("2024年6月5日"): `published` is 00:00 of that
    # day in the source's timezone, and the item belongs to the whole day (see select.in_window)
    time_known: bool = True
    # The url and id as the canonical form before RFC 3986 normalisation made them, when that
    # differs: history written by earlier versions stores those (see urls.canonical_and_legacy)
    legacy_url: str = ""
    legacy_id: str = ""


@dataclass(frozen=True)
class SourceResult:
    """What happened to one source in a run, for the report, the footer and digest.json."""

    name: str
    url: str
    status: SourceStatus
    items: int = 0
    error: str | None = None
    failing_days: int = 0  # consecutive days this source has failed, 0 when it is fine


@dataclass(frozen=True)
class Section:
    name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Stats:
    fetched: int = 0
    duplicates: int = 0
    selected: int = 0


@dataclass(frozen=True)
class Digest:
    """Everything a renderer needs; the renderers are pure functions of this."""

    title: str
    generated_at: datetime
    since: datetime
    until: datetime
    timezone: str
    language: str  # the dominant language of the selected items: "zh" or "en"
    sections: tuple[Section, ...]
    sources: tuple[SourceResult, ...]
    stats: Stats = field(default_factory=Stats)
    archive_url: str | None = None  # "view in browser" link, when an archive URL is set
    left_out: tuple[Item, ...] = ()  # stories over max_items/per_source, best first: "More stories"
    ranking: tuple[str, ...] = ()  # ids of the digest's items, best first (coverage, then recency)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)
