"""The labelled evaluation set (tests/data/dedup/): precision first, recall as high as that allows."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from digest.config import DedupSettings
from digest.dedup import History, deduplicate
from digest.models import Item
from tests.support.dedup_set import load

SETTINGS = DedupSettings()


def score(items: list[Item], labels: list[dict[str, Any]], settings: DedupSettings) -> tuple[int, int, int]:
    """(true, false, missed) merged pairs when the whole set is one window."""
    result = deduplicate(items, settings=settings, history=History.empty())
    cluster = {}
    for n, story in enumerate(result.items):
        for url in [story.url, *(ref.url for ref in story.also)]:
            cluster[url] = n
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(items)), 2):
        same = cluster[items[i].url] == cluster[items[j].url]
        duplicate = labels[i]["story"] == labels[j]["story"]
        tp += same and duplicate
        fp += same and not duplicate
        fn += duplicate and not same
    return tp, fp, fn


@pytest.mark.parametrize(("name", "min_recall"), [("stories_en.yaml", 0.4), ("stories_zh.yaml", 0.5)])
def test_precision_and_recall(name: str, min_recall: float) -> None:
    items, labels = load(name)
    tp, fp, fn = score(items, labels, SETTINGS)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"{name}: precision {precision:.2f}, recall {recall:.2f} ({tp} merged right, {fp} wrong, {fn} missed)")
    assert precision >= 0.95
    assert recall >= min_recall


def test_the_set_has_the_hard_cases() -> None:
    """Guards the data itself: every category the issue names is in it, in both languages."""
    for name in ("stories_en.yaml", "stories_zh.yaml"):
        _, labels = load(name)
        kinds = {label["kind"] for label in labels}
        assert {"original", "syndicated", "rewrite", "headline"} <= kinds
        topics: dict[str, set[str]] = {}
        for label in labels:
            topics.setdefault(label["topic"], set()).add(label["story"])
        assert sum(len(stories) > 1 for topic, stories in topics.items() if topic != "single") >= 8


def test_lower_thresholds_trade_precision_for_recall() -> None:
    """Far lower thresholds than the measured defaults merge wrongly: the thresholds, not only the guards, decide."""
    items, labels = load("stories_en.yaml")
    zh_items, zh_labels = load("stories_zh.yaml")
    loose = DedupSettings(text_threshold=0.2, title_threshold=0.1, title_threshold_zh=0.1)
    _, fp_loose, _ = score(items + zh_items, labels + zh_labels, loose)
    _, fp_default, _ = score(items + zh_items, labels + zh_labels, SETTINGS)
    assert fp_default < fp_loose
