"""Deduplication: one entry per story, across sources and across days.

    deduplicate(items, settings=..., history=...) -> DedupResult   (pure; the pipeline's dedup step)
    order_items(items, "coverage" | "newest")                      (ranking inside a section)
    History                                                        (what earlier digests carried;
                                                                     digest.state.history loads it)

Rules, in the order they apply: the same canonical URL or id (exact.py); already sent on an
earlier day (history.py); the same text, as shingles of the title and the start of the text
(fingerprint.py, minhash.py); the same headline, for items that have nothing but a title
(titles.py).  Every merge or drop is a Decision that `digest explain` prints.
"""

from .cluster import deduplicate
from .history import History, SentRef
from .order import coverage, order_items
from .result import Decision, DedupResult, Rule

__all__ = ["Decision", "DedupResult", "History", "Rule", "SentRef", "coverage", "deduplicate", "order_items"]
