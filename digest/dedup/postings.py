"""An inverted index of title terms, for the title rule among many titles: which pairs can reach a threshold.

The title rule (titles.py) compares two titles in Python; this module finds the few pairs worth
comparing among 50,000 titles, or 50,000 against 500,000 stored ones, with sorted arrays and
no Python object per term.  A pair must share at least max(MIN_TERMS, threshold x the shorter
title's distinct terms) terms, which prefix filtering turns into joins on each title's rarest
terms (see TitleIndex).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from . import minhash

MIN_TERMS = 3  # titles with fewer terms say too little (titles.similarity gives them 0)

Terms = tuple[int, ...]
I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]


class TitleTerms(Sequence[Terms]):
    """Many titles' terms as one flat array (what the index and the batch rules read) that also
    reads as a sequence of tuples (what the pairwise rules compare)."""

    def __init__(self, terms: U32, offsets: I64) -> None:
        self.terms = terms
        self.offsets = offsets
        self.bounds = offsets.tolist()
        self.made: dict[int, Terms] = {}  # tuples are made when asked for: most titles never are

    def __len__(self) -> int:
        return len(self.bounds) - 1

    @overload
    def __getitem__(self, i: int) -> Terms: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Terms]: ...
    def __getitem__(self, i: int | slice) -> Terms | Sequence[Terms]:
        if isinstance(i, slice):
            return [self[k] for k in range(len(self))[i]]
        found = self.made.get(i)
        if found is None:
            if not -len(self) <= i < len(self):
                raise IndexError(i)
            i %= len(self)
            found = self.made[i] = tuple(self.terms[self.bounds[i] : self.bounds[i + 1]].tolist())
        return found

    def arrays(self, rows: Sequence[int] | I64 | None = None) -> tuple[I64, U32]:
        """(row, term) arrays of the given rows (all by default), in row order."""
        if rows is None:
            rows = np.arange(len(self), dtype=np.int64)
        rows = np.asarray(rows, dtype=np.int64)
        lengths = np.diff(self.offsets)[rows]
        return np.repeat(rows, lengths), self.terms[minhash.ranges(self.offsets[rows], lengths)]

    def subset(self, rows: Sequence[int]) -> TitleTerms:
        """The titles of `rows`, renumbered from 0."""
        _, terms = self.arrays(rows)
        lengths = np.diff(self.offsets)[np.asarray(rows, dtype=np.int64)]
        return TitleTerms(terms, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))


def flat(titles: Sequence[Terms]) -> tuple[I64, U32]:
    """(title, term) arrays of titles, in order."""
    return titles.arrays() if isinstance(titles, TitleTerms) else flatten(titles, range(len(titles)))


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

    def __init__(self, terms: U32, offsets: I64, threshold: float) -> None:
        """Index of titles given end to end: row r's terms are terms[offsets[r]:offsets[r + 1]]
        (a term repeated in a title counts once)."""
        self.threshold = threshold
        n_rows = len(offsets) - 1
        self.masks = _masks(terms, offsets)
        self.postings, repeated = _packed(terms, offsets)  # term << 32 | row, sorted, distinct
        posting_terms, posting_rows = _halves(self.postings)
        self.full = _Lists(self.postings, _run_starts(posting_terms))
        self.lengths = np.diff(offsets) - np.bincount(repeated, minlength=n_rows)  # distinct terms per row
        self.excess = self.lengths - popcount(self.masks)  # terms whose bit another term of the title took
        counts = self.full.counts
        rarest = _rarest(posting_rows, np.repeat(counts, counts), self.threshold, self.lengths, own=True)
        prefix = np.sort(self.postings[rarest])
        self.prefix = _Lists(prefix, _run_starts(_halves(prefix)[0]))

    @classmethod
    def of(cls, titles: Sequence[Terms], threshold: float) -> TitleIndex:
        owner, terms = flat(titles)
        counts = np.bincount(owner, minlength=len(titles))
        return cls(terms, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), threshold)

    def __len__(self) -> int:
        return len(self.postings)

    def frequency(self, terms: U32) -> I64:
        """How many indexed titles hold each term (0 for terms never seen)."""
        return self.full.lookup(terms)[1]

    def candidates(self, owner: I64, terms: U32) -> I64:
        """(probe, row) pairs that share enough terms to reach the threshold (order not checked yet)."""
        owner, terms = unique_terms(owner, terms)
        if len(owner) == 0 or len(self) == 0:
            return np.empty((0, 2), dtype=np.int64)
        at, frequency = self.full.lookup(terms)
        rarest = _rarest(owner, frequency, self.threshold)
        pairs = _unique_rows(np.concatenate([
            self.full.join(owner[rarest], at[rarest], frequency[rarest]),
            self.prefix.join(owner, *self.prefix.lookup(terms)),
        ]))
        if len(pairs) == 0:
            return pairs
        starts = _run_starts(owner)
        probes = owner[starts]
        sizes = np.diff(np.r_[starts, len(owner)])
        group = np.searchsorted(probes, pairs[:, 0])
        shorter = np.minimum(sizes[group], self.lengths[pairs[:, 1]])
        needed = np.maximum(MIN_TERMS, np.ceil(self.threshold * shorter - 1e-9))
        masks = _masks(terms, np.r_[starts, len(owner)])
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


def _packed(terms: U32, offsets: I64) -> tuple[U64, I64]:
    """Distinct (term, row) pairs packed as term << 32 | row, sorted (postings lists end to end),
    and the rows of the repeats left out."""
    packed = np.repeat(np.arange(len(offsets) - 1, dtype=np.uint64), np.diff(offsets))
    for start in range(0, len(packed), _STEP):  # in steps: no second array of this size
        high = terms[start : start + _STEP].astype(np.uint64)
        high <<= np.uint64(32)
        packed[start : start + _STEP] |= high
    packed.sort()
    if len(packed) < 2:
        return packed, np.empty(0, dtype=np.int64)
    repeat = np.flatnonzero(packed[1:] == packed[:-1]) + 1
    if len(repeat) == 0:
        return packed, repeat
    return np.delete(packed, repeat), (packed[repeat] & _LOW).astype(np.int64)


_STEP = 1 << 20


def _halves(packed: U64) -> tuple[U32, U32]:
    """(high, low) 32-bit halves of packed values, as views (no copy)."""
    words = packed.view(np.uint32)
    return (words[1::2], words[0::2]) if sys.byteorder == "little" else (words[0::2], words[1::2])


def _run_starts(values: npt.NDArray[np.generic]) -> I64:
    """Where each run of equal values begins in a sorted array."""
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]])


def _masks(terms: U32, offsets: I64) -> U64:
    """Per row, a 64-bit set of its terms' low six bits: popcount(a & b) bounds the terms two rows share."""
    masks = np.zeros(len(offsets) - 1, dtype=np.uint64)
    for first in range(0, len(masks), _STEP // 16):  # in steps of rows: the bits of a step stay small
        rows = np.arange(first, min(len(masks), first + _STEP // 16))
        filled = rows[offsets[rows + 1] > offsets[rows]]
        if len(filled) == 0:
            continue
        start, stop = offsets[filled[0]], offsets[filled[-1] + 1]
        bits = (terms[start:stop] & np.uint32(63)).astype(np.uint64)
        np.left_shift(np.uint64(1), bits, out=bits)
        masks[filled] = np.bitwise_or.reduceat(bits, offsets[filled] - start)
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


def _rarest(owner: npt.NDArray[np.integer[Any]], frequency: I64, threshold: float, sizes: I64 | None = None,
            own: bool = False) -> I64:
    """Positions of each owner's rarest terms, as many as prefix filtering needs.

    One sort of a packed key (owner, frequency, position) rather than a lexsort or argsort;
    ties in frequency fall to the earlier position (the smaller term, as callers sort by term).
    `sizes`, when known, is each owner value's count (np.bincount(owner)); `own`: `frequency`
    may be overwritten (its memory becomes the key).
    """
    n = len(owner)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    position_bits = max(1, (n - 1).bit_length())
    owner_bits = max(1, int(owner.max()).bit_length())
    frequency_bits = min(20, 64 - position_bits - owner_bits)
    if frequency_bits < 8:  # beyond what 64 bits hold
        order = np.lexsort((np.minimum(frequency, (1 << 20) - 1), owner))
        starts = _run_starts(owner[order])
        rarest: I64 = order[_prefix_ranges(starts, np.diff(np.r_[starts, n]), threshold)]
        return rarest
    key = frequency.view(np.uint64) if own else np.empty(n, dtype=np.uint64)
    np.minimum(frequency, (1 << frequency_bits) - 1, out=key.view(np.int64))
    key <<= np.uint64(position_bits)
    for start in range(0, n, _STEP):  # in steps: no second array of this size
        part = owner[start : start + _STEP].astype(np.uint64)
        part <<= np.uint64(frequency_bits + position_bits)
        part |= np.arange(start, start + len(part), dtype=np.uint64)
        key[start : start + _STEP] |= part
    key.sort()
    if sizes is None:
        starts = _run_starts(key >> np.uint64(frequency_bits + position_bits))
        counts = np.diff(np.r_[starts, n])
    else:
        counts = sizes[sizes > 0]
        starts = np.cumsum(counts) - counts
    chosen = key[_prefix_ranges(starts, counts, threshold)] & np.uint64((1 << position_bits) - 1)
    return chosen.astype(np.int64)


def _prefix_ranges(starts: I64, counts: I64, threshold: float) -> I64:
    """The first entries of each group (at `starts`, `counts` long) that prefix filtering keeps."""
    needed = np.maximum(MIN_TERMS, np.ceil(threshold * counts - 1e-9)).astype(np.int64)
    return minhash.ranges(starts, np.maximum(1, counts - needed + 1))


class _Lists:
    """Postings lists end to end (term << 32 | row, sorted), with each term's place and length."""

    def __init__(self, postings: U64, firsts: I64) -> None:
        self.postings = postings
        self.firsts = firsts
        self.values = (postings[firsts] >> np.uint64(32)).astype(np.uint32)
        self.counts = np.diff(np.r_[firsts, len(postings)]).astype(np.int64)

    def lookup(self, terms: U32) -> tuple[I64, I64]:
        """For each term, where its list is (an index into values) and its length (0: no list)."""
        if len(self.values) == 0:
            return np.zeros(len(terms), dtype=np.int64), np.zeros(len(terms), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.values, terms), len(self.values) - 1)
        return at, np.where(self.values[at] == terms, self.counts[at], 0)

    def join(self, owner: I64, at: I64, count: I64) -> I64:
        """(owner, row) for every looked-up term's list (lists over _POSTING_CAP skipped)."""
        hit = np.flatnonzero((count > 0) & (count <= _POSTING_CAP))
        if len(hit) == 0:
            return np.empty((0, 2), dtype=np.int64)
        rows = (self.postings[minhash.ranges(self.firsts[at[hit]], count[hit])] & _LOW).astype(np.int64)
        return np.stack([np.repeat(owner[hit], count[hit]), rows], axis=1)
