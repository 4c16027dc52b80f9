"""Which items make the digest: window, include/exclude filters, caps, sections in config order."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from .config import Config, Source
from .models import Item, Section

OrderFn = Callable[[Sequence[Item], str], list[Item]]


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _matches(patterns: Sequence[str], text: str) -> bool:
    return any(_compiled(p).search(text) for p in patterns)


def passes_filters(item: Item, source: Source, config: Config) -> bool:
    """Include lists (global, then per source) must each match if given; any exclude drops.

    Patterns are case-insensitive regular expressions over the title and the text.
    """
    haystack = f"{item.title}\n{item.text}"
    for includes in (config.include, source.include):
        if includes and not _matches(includes, haystack):
            return False
    return not _matches((*config.exclude, *source.exclude), haystack)


@dataclass(frozen=True)
class Selection:
    sections: tuple[Section, ...]
    filtered: int  # dropped by include/exclude
    outside_window: int
    over_cap: int

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sections)


def newest_first(items: Sequence[Item], order: str = "newest") -> list[Item]:
    return sorted(items, key=lambda i: (i.published, i.title), reverse=True)


def select_items(items: Sequence[Item], config: Config, *, since: datetime, until: datetime,
                 order: OrderFn = newest_first) -> Selection:
    """Filter to the window, rank with `order`, apply per-source and total caps, then group."""
    sources = {s.name: s for s in config.sources}
    kept: list[Item] = []
    filtered = outside = 0
    for item in items:
        source = sources.get(item.source)
        if source is None:
            continue
        if not since <= item.published <= until:
            outside += 1
        elif not passes_filters(item, source, config):
            filtered += 1
        else:
            kept.append(item)
    ranked = order(kept, config.dedup.order)
    per_source: dict[str, int] = defaultdict(int)
    chosen: list[Item] = []
    for item in ranked:
        if per_source[item.source] >= config.per_source or len(chosen) >= config.max_items:
            continue
        per_source[item.source] += 1
        chosen.append(item)
    # sections in the order their first source appears in the config; items keep rank order
    groups: dict[str, list[Item]] = defaultdict(list)
    first_index: dict[str, int] = {}
    for item in chosen:
        groups[item.section].append(item)
        first_index[item.section] = min(first_index.get(item.section, item.source_index), item.source_index)
    names = sorted(groups, key=lambda name: (first_index[name], name))
    return Selection(
        sections=tuple(Section(name=n, items=tuple(groups[n])) for n in names),
        filtered=filtered,
        outside_window=outside,
        over_cap=len(ranked) - len(chosen),
    )
