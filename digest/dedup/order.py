"""Ranking within a section: a story several sources carry is a bigger story."""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

from ..config import Order
from ..models import Item


def coverage(item: Item) -> int:
    """How many distinct sources carry the story, its own included."""
    return len({item.source, *(ref.source for ref in item.also)})


def order_items(items: Sequence[Item], order: Order) -> list[Item]:
    """Items by `order`: "coverage" (distinct sources, then newest) or "newest"; ties keep their order."""
    if order == "newest":
        return sorted(items, key=lambda item: -item.published.timestamp())
    if order == "coverage":
        return sorted(items, key=lambda item: (-coverage(item), -item.published.timestamp()))
    raise ValueError(f"unknown order {order!r}; expected one of {', '.join(get_args(Order))}")
