"""Which items make the digest: window, include/exclude filters, caps, sections in config order.

The total cap (`max_items`) is shared fairly across sections, so a cap never hides a whole section:
every section with a story in the window gets at least one, then the sections take one more story
each in turn (the section whose next story ranks higher goes first) until the cap is reached or a
section runs out.  What did not fit is kept, in rank order, for the "More stories" list.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from .config import Config, Order, Source
from .models import Item, Section

OrderFn = Callable[[Sequence[Item], Order], list[Item]]


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
    left_out: tuple[Item, ...] = ()  # passed the filters but over a cap, best-ranked first
    ranking: tuple[str, ...] = ()  # ids of the chosen items, best-ranked first (for lead stories)

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sections)


def in_window(item: Item, since: datetime, until: datetime) -> bool:
    """Dated to a moment in [since, until], or dated to a day (no time) that overlaps it.

    A page that prints "2024年6月5日" means some time that day where the source is: read as 00:00,
    a scheduled 08:00 run on the 6th would find yesterday's items 32 hours old and drop them all.
    """
    if item.time_known:
        return since <= item.published <= until
    start = item.published  # 00:00 of the day, in the source's timezone
    end = datetime.combine(start.date() + timedelta(days=1), time(0), tzinfo=start.tzinfo)
    return start <= until and end > since


def newest_first(items: Sequence[Item], order: Order = "newest") -> list[Item]:
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
        if not in_window(item, since, until):
            outside += 1
        elif not passes_filters(item, source, config):
            filtered += 1
        else:
            kept.append(item)
    ranked = order(kept, config.dedup.order)
    per_source: dict[str, int] = defaultdict(int)
    candidates: list[Item] = []
    for item in ranked:
        if per_source[item.source] < config.per_source:
            per_source[item.source] += 1
            candidates.append(item)
    # sections in the order their first source appears in the config; items keep rank order
    groups: dict[str, list[Item]] = defaultdict(list)
    first_index: dict[str, int] = {}
    for item in candidates:
        groups[item.section].append(item)
        first_index[item.section] = min(first_index.get(item.section, item.source_index), item.source_index)
    names = sorted(groups, key=lambda name: (first_index[name], name))
    position = {item.id: i for i, item in enumerate(candidates)}
    quota = fair_shares({name: len(groups[name]) for name in names}, config.max_items,
                        first_rank={name: position[groups[name][0].id] for name in names})
    chosen = {item.id for name in names for item in groups[name][: quota[name]]}
    return Selection(
        sections=tuple(Section(name=n, items=tuple(groups[n][: quota[n]])) for n in names),
        filtered=filtered,
        outside_window=outside,
        over_cap=len(ranked) - len(chosen),
        left_out=tuple(item for item in ranked if item.id not in chosen),
        ranking=tuple(item.id for item in ranked if item.id in chosen),
    )


def fair_shares(sizes: dict[str, int], cap: int, *, first_rank: dict[str, int] | None = None) -> dict[str, int]:
    """How many stories each section keeps under a total `cap`: equal shares, at least one each.

    Rounds give every section that still has stories one more, the best-ranked section first
    (`first_rank`: lower is better), so the rest of a round goes to the sections that lead.  A
    section with fewer stories than its share leaves the difference to the others.  With more
    sections than `cap`, each section still keeps one story: the cap bends before a section hides.
    """
    rank = first_rank or {name: i for i, name in enumerate(sizes)}
    quota = dict.fromkeys(sizes, 0)
    left = max(cap, sum(1 for size in sizes.values() if size))
    order = sorted(sizes, key=lambda name: rank[name])
    while left > 0:
        open_sections = [name for name in order if quota[name] < sizes[name]]
        if not open_sections:
            break
        for name in open_sections[:left]:
            quota[name] += 1
        left -= min(left, len(open_sections))
    return quota
