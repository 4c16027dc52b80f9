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

from . import minhash
from .text import NUMBER_BIT

MIN_TERMS = 3
# Two items of one source with the same text must also have titles this similar: a source's
# items often share a boilerplate description and nothing else.
SAME_SOURCE_TITLE = 0.5

Terms = tuple[int, ...]
I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]


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
        owner, terms = unique_terms(*flatten(titles, range(len(titles))))
        counted = np.sort((source[owner] << np.uint64(32)) | terms.astype(np.uint64))
        firsts = np.flatnonzero(np.r_[True, counted[1:] != counted[:-1]]) if len(counted) else np.empty(0, np.int64)
        counts = np.diff(np.r_[firsts, len(counted)])
        common = counts >= TEMPLATE_MIN
        self.templates: dict[int, int] = dict(zip(counted[firsts[common]].tolist(), counts[common].tolist(), strict=True))

    def __len__(self) -> int:
        return len(self.titles)

    def __getitem__(self, i: int) -> Weights:
        base = self.source_ids[self.sources[i]] << 32
        found = self.templates
        return {t: 2.0 / found[base | t] for t in set(self.titles[i]) if base | t in found}


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
    then counts shared terms and keeps pairs with enough of them: first an upper bound from
    64-bit term masks (most candidates of a prefix join share one or two terms), then exactly.
    Postings are (term, row) packed in one uint64, and every ordering is a sort of packed keys
    (numpy sorts those several times faster than it argsorts): no Python object per term, and
    500,000 stored titles are indexed in a fraction of a second.
    """

    def __init__(self, rows: I64, terms: U32, n_rows: int, threshold: float) -> None:
        """Index of (row, term) pairs; `rows` ascending (repeated terms of a row count once)."""
        self.threshold = threshold
        self.postings = _packed(terms, rows)  # term << 32 | row, sorted, distinct
        firsts = _run_starts(self.postings >> np.uint64(32))
        self.values = (self.postings[firsts] >> np.uint64(32)).astype(np.uint32)
        self.counts = np.diff(np.r_[firsts, len(self.postings)]).astype(np.int64)
        posting_rows = (self.postings & _LOW).astype(np.int64)
        self.lengths = np.bincount(posting_rows, minlength=n_rows).astype(np.int64)
        self.masks = _masks(rows, terms, n_rows)
        self.excess = self.lengths - popcount(self.masks)  # terms whose bit another term of the title took
        rarest = _rarest(posting_rows, np.repeat(self.counts, self.counts), self.threshold)
        self.prefix = np.sort(self.postings[rarest])

    @classmethod
    def of(cls, titles: Sequence[Terms], threshold: float) -> TitleIndex:
        owner, terms = flatten(titles, range(len(titles)))
        return cls(owner, terms, len(titles), threshold)

    def __len__(self) -> int:
        return len(self.postings)

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
        rarest = _rarest(owner, self.frequency(terms), self.threshold)
        pairs = _unique_rows(np.concatenate([
            _join(terms[rarest], owner[rarest], self.postings),
            _join(terms, owner, self.prefix),
        ]))
        if len(pairs) == 0:
            return pairs
        starts = _run_starts(owner)
        probes = owner[starts]
        sizes = np.diff(np.r_[starts, len(owner)])
        group = np.searchsorted(probes, pairs[:, 0])
        shorter = np.minimum(sizes[group], self.lengths[pairs[:, 1]])
        needed = np.maximum(MIN_TERMS, np.ceil(self.threshold * shorter - 1e-9))
        masks = _masks(np.repeat(np.arange(len(starts)), sizes), terms, len(starts))
        # terms in common set common bits, less any that fall on a bit another term of theirs took
        excess = np.minimum((sizes - popcount(masks))[group], self.excess[pairs[:, 1]])
        close = popcount(masks[group] & self.masks[pairs[:, 1]]) + excess >= needed
        pairs, group, needed = pairs[close], group[close], needed[close]
        which = np.repeat(np.arange(len(pairs)), sizes[group])
        probe = (terms[minhash.ranges(starts[group], sizes[group])].astype(np.uint64) << np.uint64(32)) \
            | pairs[which, 1].astype(np.uint64)
        at = np.minimum(np.searchsorted(self.postings, probe), len(self.postings) - 1)
        shared = np.bincount(which, weights=self.postings[at] == probe, minlength=len(pairs))
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


_LOW = np.uint64(0xFFFF_FFFF)


def unique_terms(owner: I64, terms: U32) -> tuple[I64, U32]:
    """(owner, term) pairs without repeats, sorted by owner then term."""
    if len(owner) == 0:
        return owner, terms
    key = _pack_unique(owner, terms)
    return (key >> np.uint64(32)).astype(np.int64), (key & _LOW).astype(np.uint32)


def _pack_unique(owner: I64, terms: U32) -> U64:
    """Distinct (owner, term) pairs packed as owner << 32 | term, sorted."""
    return minhash.unique_sorted((owner.astype(np.uint64) << np.uint64(32)) | terms.astype(np.uint64))


def _packed(terms: U32, rows: I64) -> U64:
    """Distinct (term, row) pairs packed as term << 32 | row, sorted: postings lists end to end."""
    packed = terms.astype(np.uint64) << np.uint64(32)
    packed |= rows.astype(np.uint64)
    return minhash.unique_sorted(packed)


def _run_starts(values: npt.NDArray[np.generic]) -> I64:
    """Where each run of equal values begins in a sorted array."""
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


def _masks(rows: I64, terms: U32, n_rows: int) -> U64:
    """Per row, a 64-bit set of its terms' low six bits: popcount(a & b) bounds the terms two rows share."""
    masks = np.zeros(n_rows, dtype=np.uint64)
    starts = _run_starts(rows)
    if len(starts):
        bits = np.left_shift(np.uint64(1), (terms & np.uint32(63)).astype(np.uint64))
        masks[rows[starts]] = np.bitwise_or.reduceat(bits, starts)
    return masks


_BYTE_BITS = np.array([bin(b).count("1") for b in range(256)], dtype=np.int64)


def popcount(values: U64) -> I64:
    """Set bits of each value (np.bitwise_count from numpy 2.0 on)."""
    count = getattr(np, "bitwise_count", None)
    if count is not None:
        result: I64 = count(values).astype(np.int64)
        return result
    counted: I64 = _BYTE_BITS[np.ascontiguousarray(values).view(np.uint8).reshape(-1, 8)].sum(axis=1)
    return counted


def _unique_rows(pairs: I64) -> I64:
    if len(pairs) == 0:
        return pairs.reshape(0, 2)
    return minhash.unique_pairs(pairs)


def _rarest(owner: I64, frequency: I64, threshold: float) -> I64:
    """Positions of each owner's rarest terms, as many as prefix filtering needs.

    One sort of a packed key (owner, frequency, position) rather than a lexsort or argsort;
    ties in frequency fall to the earlier position (the smaller term, as callers sort by term).
    """
    n = len(owner)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    position_bits = max(1, (n - 1).bit_length())
    owner_bits = max(1, int(owner.max()).bit_length())
    frequency_bits = min(20, 64 - position_bits - owner_bits)
    if frequency_bits >= 8:
        key = owner.astype(np.uint64) << np.uint64(frequency_bits + position_bits)
        key |= np.minimum(frequency, (1 << frequency_bits) - 1).astype(np.uint64) << np.uint64(position_bits)
        key |= np.arange(n, dtype=np.uint64)
        key.sort()
        grouped = (key >> np.uint64(frequency_bits + position_bits)).astype(np.int64)
        order = (key & np.uint64((1 << position_bits) - 1)).astype(np.int64)
    else:  # beyond what 64 bits hold
        order = np.lexsort((np.minimum(frequency, (1 << 20) - 1), owner))
        grouped = owner[order]
    starts = _run_starts(grouped)
    sizes = np.diff(np.r_[starts, n])
    needed = np.maximum(MIN_TERMS, np.ceil(threshold * sizes - 1e-9)).astype(np.int64)
    rarest: I64 = order[minhash.ranges(starts, np.maximum(1, sizes - needed + 1))]
    return rarest


def _join(probe_terms: U32, probe_owner: I64, postings: U64) -> I64:
    """(owner, row) for every probe term found in the packed postings (lists over _POSTING_CAP skipped)."""
    if len(probe_terms) == 0 or len(postings) == 0:
        return np.empty((0, 2), dtype=np.int64)
    low = probe_terms.astype(np.uint64) << np.uint64(32)
    left = np.searchsorted(postings, low, side="left")
    counts = np.searchsorted(postings, low | _LOW, side="right") - left
    hit = np.flatnonzero((counts > 0) & (counts <= _POSTING_CAP))
    if len(hit) == 0:
        return np.empty((0, 2), dtype=np.int64)
    rows = (postings[minhash.ranges(left[hit], counts[hit])] & _LOW).astype(np.int64)
    return np.stack([np.repeat(probe_owner[hit], counts[hit]), rows], axis=1)
