"""Candidate pairs for labelling Chinese batch 2 (bench/data/zh_headline_pairs_2.tsv); no matcher involved.

    python -m bench.quality.zh_pair_candidates [N] > candidates.tsv

Two news titles of the corpus (网易 international news and leaderboard, 腾讯 important news, zhihu search
results) that share at least two character pairs each on at most 6 of those titles, leaving out a
title and its own cut (one a prefix of the other: every rule merges those) and the pairs of batch 1;
in random order (seed 15), the first N (263: all of them).  The labels were written by hand on this
list, and committed, before any matcher ran on it.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import random
import re
import sys

from bench.quality.dedup_headlines import _corpus_titles
from tests.support import paths

NEWS_PAGES = ("netease_international_news", "netease_leaderboard_news", "tencent_important_news", "zhihu_search_result")
RARE = 6  # a character pair on at most this many titles
SEED = 15


def candidates() -> list[tuple[str, str, str]]:
    news = {t: w for t, w in _corpus_titles().items() if w in NEWS_PAGES}
    labelled = set()
    for line in (paths.REPO / "bench" / "data" / "zh_headline_pairs.tsv").read_text(encoding="utf-8").splitlines():
        if not line.startswith(("#", "label\t")):
            fields = line.split("\t")
            labelled.add(frozenset((fields[2], fields[3])))
    pairs_of = {t: {r[i : i + 2] for r in re.findall(r"[\u4e00-\u9fff]+", t) for i in range(len(r) - 1)}
                for t in news}
    df = collections.Counter(p for found in pairs_of.values() for p in found)
    holders = collections.defaultdict(list)
    for title, found in pairs_of.items():
        for p in found:
            if 2 <= df[p] <= RARE:
                holders[p].append(title)
    shared: collections.Counter[tuple[str, str]] = collections.Counter()
    for titles in holders.values():
        for x, y in itertools.combinations(sorted(titles), 2):
            shared[(x, y)] += 1

    def squash(t: str) -> str:
        return re.sub(r"\W", "", t)

    chosen = sorted((x, y) for (x, y), n in shared.items()
                    if n >= 2 and frozenset((x, y)) not in labelled
                    and not squash(x).startswith(squash(y)) and not squash(y).startswith(squash(x)))
    random.Random(SEED).shuffle(chosen)
    return [(x, y, news[x] if news[x] == news[y] else f"{news[x]}+{news[y]}") for x, y in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", help="print the first N (default: all)")
    args = parser.parse_args()
    found = candidates()
    count = args.count if args.count is not None else len(found)
    print(f"{len(found)} candidate pairs", file=sys.stderr)
    for row in found[:count]:
        print("\t".join(row))


if __name__ == "__main__":
    main()
