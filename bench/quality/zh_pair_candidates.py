"""Candidate pairs for labelling Chinese batches 2 and 3 (bench/data/zh_headline_pairs_2.tsv, _3.tsv); no matcher involved.

    python -m bench.quality.zh_pair_candidates [N] > candidates.tsv             # batch 2
    python -m bench.quality.zh_pair_candidates --batch 3 [N] > candidates.tsv   # batch 3

Batch 2: two news titles of the corpus (网易 international news and leaderboard, 腾讯 important news,
zhihu search results) that share at least two character pairs each on at most 6 of those titles, leaving
out a title and its own cut (one a prefix of the other: every rule merges those) and the pairs of batch 1;
in random order (seed 15), the first N (263: all of them).

Batch 3 widens the net to find one event told by two pages: the titles of the news pages (batch 2's
without the zhihu search results, which are questions on one search term, plus the tieba, dapenti, caogen
and BBC Chinese pages and feeds), a title cut short on a page standing for its longest form; two titles
that share a character pair or triple on at most 5 of those titles plus at least one more character pair,
or share at least two character pairs and every one of them is on at most 10 titles (a name and a place,
not a template), or share a character triple on at most 20 titles and, outside it, a character pair on
at most 20 titles (two names of one affair: 老干妈 and 腾讯), or whose character-pair tf-idf cosine is at
least 0.15 and which come from different pages; pairs of batches 1 and 2 (their titles read as their
longest forms) and a title and its own cut left out; in random order (seed 3), the first N (360: all of
them).

The labels were written by hand on these lists, and committed, before any matcher ran on them.  Only the
standard library counts and compares here: digest's own matching code is never called.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import math
import random
import re
import sys

from bench.quality.dedup_headlines import _corpus_titles
from tests.support import paths

NEWS_PAGES = ("netease_international_news", "netease_leaderboard_news", "tencent_important_news", "zhihu_search_result")
RARE = 6  # a character pair on at most this many titles
SEED = 15

NEWS_PAGES_3 = ("netease_international_news", "netease_leaderboard_news", "tencent_important_news", "list-tieba-1",
                "dapenti_blog_iframe", "http-www-caogen-com-adminsite-rss-xml", "bbc-chinese-feed")
RARE_3 = 5  # a character pair or triple on at most this many titles
FEW_3 = 10  # ... or every shared character pair on at most this many
NAMES_3 = 20  # ... or a shared triple and another shared pair each on at most this many
COSINE_3 = 0.15  # character-pair tf-idf cosine of two titles of different pages
SEED_3 = 3
BATCHES = ("zh_headline_pairs.tsv", "zh_headline_pairs_2.tsv")


def labelled(names: tuple[str, ...]) -> set[frozenset[str]]:
    """The title pairs of the given batch files."""
    found = set()
    for name in names:
        for line in (paths.REPO / "bench" / "data" / name).read_text(encoding="utf-8").splitlines():
            if not line.startswith(("#", "label\t")):
                fields = line.split("\t")
                found.add(frozenset((fields[2], fields[3])))
    return found


def grams(title: str, n: int) -> set[str]:
    """The runs of n Chinese characters in a title."""
    return {r[i : i + n] for r in re.findall(r"[\u4e00-\u9fff]+", title) for i in range(len(r) - n + 1)}


def squash(t: str) -> str:
    return re.sub(r"\W", "", t)


def is_cut(x: str, y: str) -> bool:
    """One title is the other cut short (punctuation and spaces aside)."""
    return squash(x).startswith(squash(y)) or squash(y).startswith(squash(x))


def where(news: dict[str, str], x: str, y: str) -> str:
    return news[x] if news[x] == news[y] else f"{news[x]}+{news[y]}"


def candidates() -> list[tuple[str, str, str]]:
    """Batch 2's candidates, in its order."""
    news = {t: w for t, w in _corpus_titles().items() if w in NEWS_PAGES}
    done = labelled(BATCHES[:1])
    pairs_of = {t: grams(t, 2) for t in news}
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
    chosen = sorted((x, y) for (x, y), n in shared.items()
                    if n >= 2 and frozenset((x, y)) not in done and not is_cut(x, y))
    random.Random(SEED).shuffle(chosen)
    return [(x, y, where(news, x, y)) for x, y in chosen]


def candidates_3() -> list[tuple[str, str, str]]:
    """Batch 3's candidates, in its order."""
    corpus = _corpus_titles()
    news = {t: w for t, w in corpus.items() if w in NEWS_PAGES_3}
    by_squash = {t: squash(t) for t in corpus}
    whole = sorted(news, key=lambda t: -len(by_squash[t]))

    def longest(title: str) -> str:
        s = squash(title)
        return next((t for t in whole if by_squash[t].startswith(s)), title)

    titles = sorted(t for t in news if longest(t) == t)
    done = {frozenset(map(longest, pair)) for pair in labelled(BATCHES)}
    two = {t: grams(t, 2) for t in titles}
    three = {t: grams(t, 3) for t in titles}
    df2 = collections.Counter(g for found in two.values() for g in found)
    df3 = collections.Counter(g for found in three.values() for g in found)
    vectors = {}
    for t in titles:
        weights = {g: math.log(len(titles) / df2[g]) for g in two[t]}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors[t] = {g: w / norm for g, w in weights.items()}
    chosen = []
    for x, y in itertools.combinations(titles, 2):
        both = two[x] & two[y]
        if not both or frozenset((x, y)) in done or is_cut(x, y):
            continue
        rare = any(df2[g] <= RARE_3 for g in both) or any(df3[g] <= RARE_3 for g in three[x] & three[y])
        cosine = sum(w * vectors[y][g] for g, w in vectors[x].items() if g in both)
        few = len(both) >= 2 and all(df2[g] <= FEW_3 for g in both)
        names = [g for g in three[x] & three[y] if df3[g] <= NAMES_3]
        two_names = bool(names) and any(df2[p] <= NAMES_3 and not any(p in g for g in names) for p in both)
        if (rare and len(both) >= 2) or few or two_names or (cosine >= COSINE_3 and news[x] != news[y]):
            chosen.append((x, y))
    random.Random(SEED_3).shuffle(chosen)
    return [(x, y, where(news, x, y)) for x, y in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", help="print the first N (default: all)")
    parser.add_argument("--batch", type=int, choices=(2, 3), default=2, help="which batch's candidates (default: 2)")
    args = parser.parse_args()
    found = candidates() if args.batch == 2 else candidates_3()
    count = args.count if args.count is not None else len(found)
    print(f"{len(found)} candidate pairs", file=sys.stderr)
    for row in found[:count]:
        print("\t".join(row))


if __name__ == "__main__":
    main()
