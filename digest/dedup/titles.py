"""The title rule: for headline-only items, whose titles are all there is to compare.

Similarity is the overlap coefficient of significant title terms (shared terms over the
shorter title's terms) counted in order, as the longest common subsequence: "moved from
Kubernetes to Nomad" and "moved from Nomad back to Kubernetes" share every word but not the
story.  Two guards come first, for both rules (see `numbers_agree`): titles with fewer than
MIN_TERMS terms say too little, and titles that name different numbers ("iOS 17.5" and
"iOS 17.5.1", "Daily update for June 5" and "June 6") are different stories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from .text import NUMBER_BIT

MIN_TERMS = 3
# Two items of one source with the same text must also have titles this similar: a source's
# items often share a boilerplate description and nothing else.
SAME_SOURCE_TITLE = 0.5

Terms = tuple[int, ...]
I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]


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
    Weights are worked out only for the titles the title rule actually compares.
    """

    def __init__(self, titles: Sequence[Terms], sources: Sequence[str]) -> None:
        self.titles = titles
        self.sources = sources
        self.counts: dict[str, Counter[int]] = {}
        for terms, source in zip(titles, sources, strict=True):
            self.counts.setdefault(source, Counter()).update(set(terms))

    def __len__(self) -> int:
        return len(self.titles)

    def __getitem__(self, i: int) -> Weights:
        counts = self.counts[self.sources[i]]
        return {t: 2.0 / counts[t] for t in set(self.titles[i]) if counts[t] >= TEMPLATE_MIN}


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


class TitleIndex:
    """An inverted index of many titles' terms as sorted arrays: all terms, and each title's rarest.

    `candidates` finds, for probe titles, every indexed title that can reach the threshold, by
    prefix filtering on both sides (a title at least as long as the probe holds one of the
    probe's rarest terms; a shorter one holds one of its own rarest terms that the probe has),
    then counts shared terms exactly and keeps pairs with enough of them.  No Python object is
    made per term, so 50,000 titles against 500,000 cost well under a second.
    """

    def __init__(self, rows: I64, terms: U32, n_rows: int, threshold: float) -> None:
        rows, terms = unique_terms(rows, terms)
        self.threshold = threshold
        self.pair_keys = (rows.astype(np.uint64) << np.uint64(32)) | terms.astype(np.uint64)  # sorted
        self.lengths = np.bincount(rows, minlength=n_rows).astype(np.int64)
        order = np.argsort(terms)
        self.full_terms, self.full_rows = terms[order], rows[order]
        firsts = np.flatnonzero(np.r_[True, self.full_terms[1:] != self.full_terms[:-1]]) if len(terms) else order
        self.values = self.full_terms[firsts]
        self.counts = np.diff(np.r_[firsts, len(terms)]).astype(np.int64)
        frequency = np.empty(len(terms), dtype=np.int64)
        frequency[order] = np.repeat(self.counts, self.counts)
        prefix = _prefix(rows, terms, frequency, threshold)
        self.prefix_terms, self.prefix_rows = _sorted_by_term(terms[prefix], rows[prefix])

    @classmethod
    def of(cls, titles: Sequence[Terms], threshold: float) -> TitleIndex:
        owner, terms = flatten(titles, range(len(titles)))
        return cls(owner, terms, len(titles), threshold)

    def __len__(self) -> int:
        return len(self.pair_keys)

    def frequency(self, terms: U32) -> I64:
        """How many indexed titles hold each term (0 for terms never seen)."""
        if len(self.values) == 0:
            return np.zeros(len(terms), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.values, terms), len(self.values) - 1)
        return np.where(self.values[at] == terms, self.counts[at], 0)

    def candidates(self, owner: I64, terms: U32) -> I64:
        """(probe, row) pairs that share enough terms to reach the threshold (order not checked yet)."""
        owner, terms = unique_terms(owner, terms)
        if len(owner) == 0 or len(self) == 0:
            return np.empty((0, 2), dtype=np.int64)
        prefix = _prefix(owner, terms, self.frequency(terms), self.threshold)
        pairs = _unique_rows(np.concatenate([
            _join(terms[prefix], owner[prefix], self.full_terms, self.full_rows),
            _join(terms, owner, self.prefix_terms, self.prefix_rows),
        ]))
        if len(pairs) == 0:
            return pairs
        starts = np.searchsorted(owner, pairs[:, 0], side="left")
        sizes = np.searchsorted(owner, pairs[:, 0], side="right") - starts
        which = np.repeat(np.arange(len(pairs)), sizes)
        probe = (pairs[which, 1].astype(np.uint64) << np.uint64(32)) | terms[_ranges(starts, sizes)].astype(np.uint64)
        at = np.minimum(np.searchsorted(self.pair_keys, probe), len(self.pair_keys) - 1)
        shared = np.bincount(which, weights=self.pair_keys[at] == probe, minlength=len(pairs))
        shorter = np.minimum(sizes, self.lengths[pairs[:, 1]])
        needed = np.maximum(MIN_TERMS, np.ceil(self.threshold * shorter - 1e-9))
        found: I64 = pairs[shared >= needed]
        return found


def flatten(titles: Sequence[Terms], owners: Sequence[int]) -> tuple[I64, U32]:
    """(owner, term) arrays of many titles."""
    owner = np.repeat(np.asarray(owners, dtype=np.int64), [len(t) for t in titles])
    terms = np.fromiter((term for t in titles for term in t), dtype=np.uint32, count=len(owner))
    return owner, terms


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
    probes = [i for i in range(len(titles)) if short[i]]
    found: list[tuple[int, int, float]] = []
    if not probes:
        return found
    owner, terms = flatten([titles[i] for i in probes], probes)
    pairs = index.candidates(owner, terms)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    for i, j in _unique_rows(pairs).tolist():
        if sources is not None and sources[i] == sources[j] and set(titles[i]) != set(titles[j]):
            continue
        score = similarity(titles[i], titles[j], weights[i] if weights else None, weights[j] if weights else None)
        if score >= threshold:
            found.append((i, j, score))
    return found


# A term in more titles than this is skipped when joining ("update", "的"): it would pair a
# title with a large share of all others while deciding nothing.
_POSTING_CAP = 20000


def unique_terms(owner: I64, terms: U32) -> tuple[I64, U32]:
    """(owner, term) pairs without repeats, sorted by owner then term."""
    if len(owner) == 0:
        return owner, terms
    ordered = np.sort((owner.astype(np.uint64) << np.uint64(32)) | terms.astype(np.uint64))
    key = ordered[np.r_[True, ordered[1:] != ordered[:-1]]]
    return (key >> np.uint64(32)).astype(np.int64), (key & np.uint64(0xFFFF_FFFF)).astype(np.uint32)


def _unique_rows(pairs: I64) -> I64:
    if len(pairs) == 0:
        return pairs.reshape(0, 2)
    ordered = np.sort((pairs[:, 0] << 32) | pairs[:, 1])
    keys = ordered[np.r_[True, ordered[1:] != ordered[:-1]]]
    return np.stack([keys >> 32, keys & 0xFFFF_FFFF], axis=1)


def _ranges(starts: I64, lengths: I64) -> I64:
    step = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + step


def _prefix(owner: I64, terms: U32, frequency: I64, threshold: float) -> I64:
    """Positions of each owner's rarest terms, as many as prefix filtering needs (owner-sorted input).

    One sort of a packed key (owner, frequency, part of the term) instead of a lexsort: ties in
    frequency may break any way, as long as each title's order is fixed.
    """
    if len(owner) == 0:
        return np.empty(0, dtype=np.int64)
    key = (
        (owner.astype(np.uint64) << np.uint64(40))
        | (np.minimum(frequency, (1 << 20) - 1).astype(np.uint64) << np.uint64(20))
        | (terms.astype(np.uint64) >> np.uint64(12))
    )
    order = np.argsort(key)
    starts = np.flatnonzero(np.r_[True, owner[order][1:] != owner[order][:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    needed = np.maximum(MIN_TERMS, np.ceil(threshold * sizes - 1e-9)).astype(np.int64)
    limit = np.repeat(np.maximum(1, sizes - needed + 1), sizes)
    return np.sort(order[rank < limit])


def _sorted_by_term(terms: U32, rows: I64) -> tuple[U32, I64]:
    order = np.argsort(terms)
    return terms[order], rows[order]


def _join(probe_terms: U32, probe_owner: I64, index_terms: U32, index_rows: I64) -> I64:
    """(owner, row) for every probe term found in the index (postings over _POSTING_CAP skipped)."""
    if len(probe_terms) == 0 or len(index_terms) == 0:
        return np.empty((0, 2), dtype=np.int64)
    left = np.searchsorted(index_terms, probe_terms, side="left")
    counts = np.searchsorted(index_terms, probe_terms, side="right") - left
    hit = np.flatnonzero((counts > 0) & (counts <= _POSTING_CAP))
    if len(hit) == 0:
        return np.empty((0, 2), dtype=np.int64)
    return np.stack([np.repeat(probe_owner[hit], counts[hit]), index_rows[_ranges(left[hit], counts[hit])]], axis=1)
