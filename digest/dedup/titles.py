"""The title rule: for headline-only items, whose titles are all there is to compare.

Similarity is the overlap coefficient of significant title terms (shared terms over the
shorter title's terms) counted in order, as the longest common subsequence: "moved from
Kubernetes to Nomad" and "moved from Nomad back to Kubernetes" share every word but not the
story.  Two guards come first, for both rules (see `numbers_agree`): titles with fewer than
MIN_TERMS terms say too little, and titles that name different numbers ("iOS 17.5" and
"iOS 17.5.1", "Daily update for June 5" and "June 6") are different stories.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from .text import NUMBER_BIT

MIN_TERMS = 3

Terms = tuple[int, ...]


def numbers_agree(a: Terms, b: Terms) -> bool:
    """False when both titles carry numbers and neither title's numbers include the other's."""
    na = Counter(t for t in a if t & NUMBER_BIT)
    nb = Counter(t for t in b if t & NUMBER_BIT)
    return not na or not nb or na <= nb or nb <= na


def similarity(a: Terms, b: Terms) -> float:
    """Ordered overlap coefficient of two titles' terms; 0.0 below MIN_TERMS or on a number clash."""
    sa, sb = set(a), set(b)
    shorter = min(len(sa), len(sb))
    if shorter < MIN_TERMS or not numbers_agree(a, b):
        return 0.0
    shared = sa & sb
    if len(shared) < MIN_TERMS:
        return 0.0
    # the LCS only over shared terms, each once: titles are short, so this stays cheap
    xa = [t for t in dict.fromkeys(a) if t in shared]
    xb = [t for t in dict.fromkeys(b) if t in shared]
    return _lcs(xa, xb) / shorter


def _lcs(a: list[int], b: list[int]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def prefix_length(size: int, threshold: float) -> int:
    """How many of a title's rarest terms must be probed to find every match (prefix filtering).

    A match needs ceil(threshold * shorter) shared terms, so the shorter title shares at least
    one of any (size - needed + 1) of its terms with the other: probing that many is enough.
    """
    needed = max(MIN_TERMS, math.ceil(threshold * size - 1e-9))
    return max(1, size - needed + 1)


def candidate_pairs(
    titles: Sequence[Terms], headline_only: Sequence[bool], threshold: float
) -> list[tuple[int, int, float]]:
    """(i, j, similarity) for pairs of `titles` at or above `threshold` where one side is headline-only.

    An inverted index of every title's terms is probed with each title's rarest terms
    (prefix filtering), so the work follows the number of plausible pairs, not n squared.
    """
    sets = [frozenset(t) for t in titles]
    frequency: Counter[int] = Counter(term for s in sets for term in s)
    index_all: dict[int, list[int]] = {}
    index_short: dict[int, list[int]] = {}
    for i, terms in enumerate(sets):
        if len(terms) < MIN_TERMS:
            continue
        for term in terms:
            index_all.setdefault(term, []).append(i)
            if headline_only[i]:
                index_short.setdefault(term, []).append(i)
    found: list[tuple[int, int, float]] = []
    for i, terms in enumerate(sets):
        if len(terms) < MIN_TERMS:
            continue
        # a headline-only title may match anything; a title with a body only headline-only ones
        index = index_all if headline_only[i] else index_short
        probe = sorted(terms, key=lambda t: (frequency[t], t))[: prefix_length(len(terms), threshold)]
        seen: set[int] = set()
        for term in probe:
            for j in index.get(term, ()):
                if j == i or j in seen:
                    continue
                seen.add(j)
                # each pair is found from its shorter side (ties: the lower index)
                if len(sets[j]) < len(terms) or (len(sets[j]) == len(terms) and j < i):
                    continue
                score = similarity(titles[i], titles[j])
                if score >= threshold:
                    found.append((i, j, score))
    return found
