"""Deduplication: one entry per story, across sources and across days.

    deduplicate(items, settings=..., history=...) -> DedupResult   (pure; the pipeline's dedup step)
    same_text(items) -> DedupResult                                 (after full text: one article, one story)
    order_items(items, "coverage" | "newest")                      (ranking inside a section)
    History                                                        (what earlier digests carried;
                                                                     digest.state.history loads it)

Rules, in the order they apply: the same canonical URL or id (keys.py); already sent on an
earlier day (history.py); one story by its numbers, time, text and title (match.py, whose
features are the one definition of what is compared and stored; terms.py makes the terms).
Every merge or drop is a Decision that `digest explain` prints, and so is the closest item a
story of one was kept apart from.
"""

from .cluster import deduplicate, same_text
from .history import History, SentRef
from .order import coverage, order_items
from .result import Decision, DedupResult, Rule

__all__ = ["Decision", "DedupResult", "History", "Rule", "SentRef", "coverage", "deduplicate", "order_items",
           "same_text"]
