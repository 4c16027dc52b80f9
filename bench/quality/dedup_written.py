"""Precision and recall of dedup on the regression set in tests/data/dedup/, across thresholds.

The measure of dedup is bench/quality/dedup_headlines.py (real headlines); this set, written for the
first version, is kept as a regression set of the shapes feeds take.

    python -m bench.quality.dedup_written

Each language file is one window; a pair of items counts as merged when they end in the same
story (representative or `also`).  Prints markdown tables for docs/benchmarks/dedup.md: a
threshold sweep, and at the chosen thresholds the recall per kind of copy and the wrong merges
per kind of hard negative.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

from digest.config import DedupSettings
from digest.dedup import History, deduplicate
from digest.models import Item
from tests.support.dedup_set import load

CHOSEN = DedupSettings()


def pairs(items: list[Item], labels: list[dict[str, Any]], settings: DedupSettings) -> list[tuple[bool, bool, str]]:
    """(merged, duplicate, category) for every pair of the set."""
    result = deduplicate(items, settings=settings, history=History.empty())
    cluster = {url: n for n, s in enumerate(result.items) for url in [s.url, *(r.url for r in s.also)]}
    out = []
    for i, j in itertools.combinations(range(len(items)), 2):
        a, b = labels[i], labels[j]
        duplicate = a["story"] == b["story"]
        if duplicate:
            kinds = sorted({a["kind"], b["kind"]} - {"original"}) or ["original"]
            category = "+".join(kinds)
        else:
            category = "same topic, other story" if a["topic"] == b["topic"] and a["topic"] != "single" else "unrelated"
        out.append((cluster[items[i].url] == cluster[items[j].url], duplicate, category))
    return out


def prf(rows: list[tuple[bool, bool, str]]) -> tuple[float, float, int, int, int]:
    tp = sum(m and d for m, d, _ in rows)
    fp = sum(m and not d for m, d, _ in rows)
    fn = sum(d and not m for m, d, _ in rows)
    return (tp / (tp + fp) if tp + fp else 1.0), tp / (tp + fn), tp, fp, fn


def main() -> None:
    sets = {name: load(name) for name in ("stories_en.yaml", "stories_zh.yaml")}
    for name, (items, labels) in sets.items():
        positives = sum(a["story"] == b["story"] for a, b in itertools.combinations(labels, 2))
        print(f"{name}: {len(items)} items, {len({label['story'] for label in labels})} stories, "
              f"{positives} duplicate pairs of {len(items) * (len(items) - 1) // 2}")
    print("\n| text_threshold | title_threshold (zh) | precision | recall | right / wrong / missed |\n"
          "|---:|---:|---:|---:|---|")
    for text in (0.5, 0.6, 0.7, 0.8, 0.9):
        for title, title_zh in ((0.35, 0.25), (0.45, 0.35), (0.55, 0.45), (0.65, 0.55)):
            settings = DedupSettings(text_threshold=text, title_threshold=title, title_threshold_zh=title_zh)
            rows = [row for items, labels in sets.values() for row in pairs(items, labels, settings)]
            p, r, tp, fp, fn = prf(rows)
            mark = " **(chosen)**" if settings == CHOSEN else ""
            print(f"| {text} | {title} ({title_zh}){mark} | {p:.3f} | {r:.3f} | {tp} / {fp} / {fn} |")
    print("\nAt the chosen thresholds, by language and kind of pair:\n")
    print("| set | kind of pair | pairs | merged |\n|---|---|---:|---:|")
    for name, (items, labels) in sets.items():
        rows = pairs(items, labels, CHOSEN)
        total: Counter[str] = Counter()
        merged: Counter[str] = Counter()
        for m, d, category in rows:
            if d or category != "unrelated":
                total[category] += 1
                merged[category] += m
        p, r, *_ = prf(rows)
        for category in sorted(total, key=lambda c: (c.startswith("same topic"), c)):
            print(f"| {name.split('_')[1][:2]} | {category} | {total[category]} | {merged[category]} |")
        print(f"| {name.split('_')[1][:2]} | **precision / recall** | | {p:.3f} / {r:.3f} |")


if __name__ == "__main__":
    main()
