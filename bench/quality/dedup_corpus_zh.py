"""Run dedup over every Chinese title of the corpus's listing pages and feeds as one window and list its merges.

    python -m bench.quality.dedup_corpus_zh

The titles are those the headline bench reads (`dedup_headlines._corpus_titles`, about 1,600), each an undated
item of its page or feed, without text: the title rules alone, as on a portal's list.  A merge of two titles that
form a labelled test pair (bench/data/zh_headline_pairs*.tsv) is not printed, so this list can be read while
tuning without looking at the test half.  Diff the list of two versions to see what a change merges anew.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bench.quality.dedup_headlines import ZH_BATCHES, _corpus_titles
from digest.config import DedupSettings
from digest.dedup import History, deduplicate
from digest.models import Item
from tests.support import paths

WHEN = datetime(2024, 6, 5, tzinfo=UTC)


def test_pairs() -> set[frozenset[str]]:
    found: set[frozenset[str]] = set()
    for name in ZH_BATCHES:
        for line in (paths.REPO / "bench" / "data" / name).read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) == 5 and fields[1] == "test":
                found.add(frozenset(fields[2:4]))
    return found


def main() -> None:
    titles = _corpus_titles()
    items = [Item(id=f"zh-{k}", url=f"https://corpus.example/{k}", title=title, source=source, section=source,
                  published=WHEN, dated=False, language="zh", text="") for k, (title, source) in enumerate(titles.items())]
    result = deduplicate(items, settings=DedupSettings(), history=History.empty())
    hidden = test_pairs()
    merges = sorted(f"{story.title}\t{ref.title}" for story in result.items for ref in story.also
                    if frozenset((story.title, ref.title)) not in hidden)
    print(f"{len(items)} Chinese titles; merges (labelled test pairs left out): {len(merges)}\n")
    print("\n".join(merges))


if __name__ == "__main__":
    main()
