"""What deduplication decided, item by item, so `digest explain` can say why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ..models import Item

Rule = Literal["same-url", "same-id", "text", "title", "history", "full-text", "numbers", "time", "series",
                "pieces", "events"]


@dataclass(frozen=True)
class Decision:
    """One item merged into another story, or dropped because an earlier digest carried it.

    `similarity` and `threshold` are on the rule's own scale: 1.0 for same-url/same-id, the
    share of the shorter lead's terms found in the other for "text", the weighted title overlap
    for "title" (for "pieces" too, against its floor, 0.3 of title_threshold_zh), hours apart for
    "time".  For a
    "history" drop, `matched_by` names which of those rules matched the sent item.
    """

    item: Item
    rule: Rule
    similarity: float
    threshold: float
    other_title: str
    other_url: str
    other_source: str
    matched_by: str = ""
    sent_at: datetime | None = None
    merged: bool = True  # False: the closest item it was kept apart from, and the rule that kept them apart

    @property
    def dropped(self) -> bool:
        return self.rule == "history"


@dataclass(frozen=True)
class DedupResult:
    items: list[Item]  # one per story: the representative, its `also` filled
    decisions: list[Decision]  # one per merged or dropped item
    duplicates: int  # items merged into another story in this window
    dropped_history: int  # items dropped because an earlier digest carried them
    near_misses: list[Decision] = field(default_factory=list)  # stories of one item: what they were kept apart from
