"""The title rule: for headline-only items, whose titles are all there is to compare.

Similarity is the overlap coefficient of significant title terms (shared terms over the
shorter title's terms) counted in order, as the longest common subsequence: "moved from
Kubernetes to Nomad" and "moved from Nomad back to Kubernetes" share every word but not the
story.  Two guards come first, for both rules (see `numbers_agree`): titles with fewer than
MIN_TERMS terms say too little, and titles that name different numbers ("iOS 17.5" and
"iOS 17.5.1", "Daily update for June 5" and "June 6") are different stories.

The search for candidate pairs among many titles is postings.TitleIndex.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from . import minhash
from .postings import MIN_TERMS, Terms, TitleIndex, flat, unique_terms
from .text import NUMBER_BIT

# Two items of one source with the same text must also have titles this similar: a source's
# items often share a boilerplate description and nothing else.
SAME_SOURCE_TITLE = 0.5

I64 = npt.NDArray[np.int64]


def numbers_agree(a: Terms, b: Terms) -> bool:
    """False when both titles carry numbers and neither title's numbers include the other's."""
    na = [t for t in a if t & NUMBER_BIT]
    if not na:
        return True
    nb = [t for t in b if t & NUMBER_BIT]
    if not nb or sorted(na) == sorted(nb):
        return True
    ca, cb = Counter(na), Counter(nb)
    return ca <= cb or cb <= ca


Weights = Mapping[int, float]


def similarity(a: Terms, b: Terms, wa: Weights | None = None, wb: Weights | None = None) -> float:
    """Ordered overlap coefficient of two titles' terms; 0.0 below MIN_TERMS or on a number clash.

    With weights (a term's weight is lower the more titles of the same source carry it, see
    `source_weights`), the score is the lower of the plain and the weighted overlap: a template
    such as "…MG转场PPT动画模板素材下载" that a source puts on every title counts for little.
    """
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
    score = _lcs(xa, xb, None) / shorter
    if wa is None and wb is None:
        return score
    weight = {t: min(wa.get(t, 1.0) if wa else 1.0, wb.get(t, 1.0) if wb else 1.0) for t in shared}
    total_a = sum(wa.get(t, 1.0) for t in sa) if wa else len(sa)
    total_b = sum(wb.get(t, 1.0) for t in sb) if wb else len(sb)
    return min(score, _lcs(xa, xb, weight) / min(total_a, total_b))


TEMPLATE_MIN = 3  # a term on this many titles of one source is (part of) its template


class SourceTemplates:
    """Per title, the weight of its template terms: 2 / (titles of its source in the batch carrying the term).

    Two titles of one source may well share a topic; from three on, a shared term is the
    source's template ("…PPT动画模板素材下载", "Daily update for …") and says little.
    The counts are taken for the whole batch at once; a title's weights are looked up when asked for.
    """

    def __init__(self, titles: Sequence[Terms], sources: Sequence[str]) -> None:
        self.titles = titles
        self.sources = sources
        ids: dict[str, int] = {}
        source = np.fromiter((ids.setdefault(name, len(ids)) for name in sources), dtype=np.uint64, count=len(sources))
        self.source_ids = ids
        owner, terms = unique_terms(*flat(titles))
        counted = np.sort((source[owner] << np.uint64(32)) | terms.astype(np.uint64))
        firsts = np.flatnonzero(np.r_[True, counted[1:] != counted[:-1]]) if len(counted) else np.empty(0, np.int64)
        counts = np.diff(np.r_[firsts, len(counted)])
        common = counts >= TEMPLATE_MIN
        self.templates: dict[int, int] = dict(zip(counted[firsts[common]].tolist(), counts[common].tolist(), strict=True))
        self.made: dict[int, Weights] = {}

    def __len__(self) -> int:
        return len(self.titles)

    def __getitem__(self, i: int) -> Weights:
        made = self.made.get(i)
        if made is None:
            base = self.source_ids[self.sources[i]] << 32
            found = self.templates
            made = self.made[i] = {t: 2.0 / found[base | t] for t in set(self.titles[i]) if base | t in found}
        return made


def source_weights(titles: Sequence[Terms], sources: Sequence[str]) -> SourceTemplates:
    return SourceTemplates(titles, sources)


def _lcs(a: list[int], b: list[int], weight: Weights | None) -> float:
    """Longest (or heaviest) common subsequence of two term lists."""
    if a == b:  # the usual case for a match: the shared terms in the same order
        return float(len(a)) if weight is None else sum(weight[x] for x in a)
    previous = [0.0] * (len(b) + 1)
    for x in a:
        current = [0.0]
        gain = 1.0 if weight is None else weight[x]
        for j, y in enumerate(b):
            current.append(previous[j] + gain if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def candidate_pairs(
    titles: Sequence[Terms], headline_only: Sequence[bool], threshold: float,
    weights: Sequence[Weights] | None = None, sources: Sequence[str] | None = None,
) -> list[tuple[int, int, float]]:
    """(i, j, similarity), i < j, for pairs of `titles` at or above `threshold` where one side is headline-only.

    Two titles of one source must have the same terms: a source lists one story under one
    headline, and its similar headlines are episodes, parts and siblings ("…Part Two").
    """
    index = TitleIndex.of(titles, threshold)
    short = np.asarray(headline_only, dtype=np.bool_)
    found: list[tuple[int, int, float]] = []
    if not short.any():
        return found
    owner, terms = flat(titles)
    pairs = index.candidates(owner[short[owner]], terms[short[owner]])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    for i, j in minhash.unique_pairs(pairs).tolist():
        if sources is not None and sources[i] == sources[j] and set(titles[i]) != set(titles[j]):
            continue
        score = similarity(titles[i], titles[j], weights[i] if weights else None, weights[j] if weights else None)
        if score >= threshold:
            found.append((i, j, score))
    return found
