"""MinHash signatures and LSH banding for a whole batch at once, vectorized with numpy.

Why not datasketch's MinHash/MinHashLSH here: they work one item at a time in Python
(a hash call per shingle, a dict entry per band), which costs many times as much for a
50,000-item window and does not fit 500,000 stored fingerprints in memory (see
docs/benchmarks/dedup.md, where datasketch is the baseline).  The scheme is the standard one:
k independent hash permutations (multiply by an odd 32-bit constant over already-mixed shingle
hashes) and the minimum per permutation.  Stored fingerprints keep only the lowest 8 bits of
each minimum (b-bit MinHash, Li & König), 128 bytes an item; the estimator corrects for the
1/256 chance that two different minima agree in their low bits.

Two bandings: within a window the full 32-bit minima are banded in pairs (64 bands of 2 rows),
which finds a truncated copy (Jaccard as low as 0.25 against the full text) with probability
above 0.98; against history only the 8-bit values exist, banded in threes (42 bands, 24-bit keys).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

NUM_PERM = 128
WINDOW_ROWS = 2  # 64 bands of 2 full minima: P(candidate) 0.985 at Jaccard 0.25, 0.9996 at 0.35
HISTORY_ROWS = 3  # 42 bands of 3 b-bit minima: P(candidate) 0.94 at Jaccard 0.4, 0.996 at 0.5
_SEED = 0x5EED_D16E
_CHUNK = 8192  # shingles per step: (NUM_PERM x _CHUNK) uint32 stays in cache
_MAX_RUN = 64  # bucket pairs beyond this distance are boilerplate, not stories

U32 = npt.NDArray[np.uint32]
U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

_PERMS: U32 = (np.random.default_rng(_SEED).integers(0, 1 << 31, NUM_PERM, dtype=np.uint64) * 2 + 1).astype(np.uint32)


def signatures(shingles: U32, offsets: I64) -> U32:
    """(n, NUM_PERM) MinHash minima; item i's shingles are shingles[offsets[i]:offsets[i+1]].

    Items without shingles get an all-zero row: callers never compare them (no body).
    """
    n = len(offsets) - 1
    out = np.zeros((n, NUM_PERM), dtype=np.uint32)
    sizes = np.diff(offsets)
    nonempty = np.flatnonzero(sizes > 0)
    if len(nonempty) == 0:
        return out
    buffer = np.empty((NUM_PERM, _CHUNK), dtype=np.uint32)
    start = 0
    while start < len(nonempty):
        first = offsets[nonempty[start]]
        # as many whole items as fit in one chunk (at least one)
        stop = int(np.searchsorted(offsets[nonempty + 1], first + _CHUNK, side="right"))
        stop = max(stop, start + 1)
        rows = nonempty[start:stop]
        last = offsets[rows[-1] + 1]
        values = shingles[first:last]
        width = len(values)
        block = buffer[:, :width] if width <= _CHUNK else np.empty((NUM_PERM, width), dtype=np.uint32)
        np.multiply(_PERMS[:, None], values[None, :], out=block)
        minima = np.minimum.reduceat(block, offsets[rows] - first, axis=1)
        out[rows] = minima.T
        start = stop
    return out


def bbit(sigs: U32) -> U8:
    """The stored form of signatures: the lowest 8 bits of each minimum."""
    return (sigs & 0xFF).astype(np.uint8)


def estimate(a: U8, b: U8) -> npt.NDArray[np.float64]:
    """Jaccard estimates for rows of a against the same rows of b (b-bit corrected, clipped to [0, 1])."""
    agree: npt.NDArray[np.float64] = (a == b).mean(axis=-1)
    return np.clip((agree - 1 / 256) / (1 - 1 / 256), 0.0, 1.0)


def unique_sorted(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """np.unique by sorting: numpy 2's hash-based unique is several times slower on these arrays."""
    if len(values) == 0:
        return values
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def unique_pairs(pairs: I64) -> I64:
    """Distinct rows of an (n, 2) array of non-negative ints below 2**31, sorted."""
    if len(pairs) == 0:
        return pairs.reshape(0, 2)
    keys = unique_sorted((pairs[:, 0] << 32) | pairs[:, 1])
    return np.stack([keys >> 32, keys & 0xFFFF_FFFF], axis=1)


HISTORY_BANDS = NUM_PERM // HISTORY_ROWS


def history_band(cols: U8, band: int) -> U32:
    """24-bit keys of one band of b-bit signatures stored minimum-major ((NUM_PERM, n) bytes)."""
    first = HISTORY_ROWS * band
    keys: U32 = cols[first].astype(np.uint32)
    keys <<= np.uint32(16)
    keys |= cols[first + 1].astype(np.uint32) << np.uint32(8)
    keys |= cols[first + 2]
    return keys


def history_pairs(window: U8, stored: U8) -> I64:
    """(window column, stored column) pairs, unique and sorted, that agree on all rows of at least one band.

    Both sides are b-bit signatures, minimum-major.  Band keys are 24 bits, so the window's keys
    of a band mark a bit table (2 MiB, which stays in cache) and every stored key is one lookup;
    the few hits are then found among the window's sorted keys.
    """
    width = window.shape[1]
    if width == 0 or stored.shape[1] == 0:
        return np.empty((0, 2), dtype=np.int64)
    bits = np.zeros(1 << 21, dtype=np.uint8)
    index = np.arange(width, dtype=np.uint64)
    found: list[I64] = []
    for band in range(HISTORY_BANDS):
        ordered, order = sort_with_index(history_band(window, band), index)
        byte = ordered >> np.uint32(3)
        first = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
        marks = np.left_shift(np.uint8(1), (ordered & np.uint32(7)).astype(np.uint8))
        bits[byte[first]] = np.bitwise_or.reduceat(marks, first)
        stored_keys = history_band(stored, band)
        looked_up = bits[stored_keys >> np.uint32(3)]
        looked_up >>= (stored_keys & np.uint32(7)).astype(np.uint8)
        hit = np.flatnonzero(looked_up & np.uint8(1))
        bits[byte[first]] = 0
        if len(hit) == 0:
            continue
        probe = stored_keys[hit]
        left = np.searchsorted(ordered, probe, side="left")
        count = np.searchsorted(ordered, probe, side="right") - left
        found.append(np.stack([order[ranges(left, count)], np.repeat(hit, count)], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    return unique_pairs(np.concatenate(found))


def sort_with_index(keys: U32, index: npt.NDArray[np.uint64]) -> tuple[U32, I64]:
    """(sorted keys, the stable argsort): one sort of (key, index) packed in 64 bits, several
    times faster than np.argsort.  `index` is arange(len(keys)) as uint64."""
    packed = np.sort((keys.astype(np.uint64) << np.uint64(32)) | index)
    return (packed >> np.uint64(32)).astype(np.uint32), (packed & np.uint64(0xFFFF_FFFF)).astype(np.int64)


def ranges(starts: I64, lengths: I64) -> I64:
    """Concatenated aranges: starts[k] .. starts[k] + lengths[k] for every k."""
    found = np.arange(int(lengths.sum()), dtype=np.int64)
    found += np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return found


WINDOW_BANDS = NUM_PERM // WINDOW_ROWS


def window_pairs(sigs: U32, members: I64) -> I64:
    """Pairs (i, j), i < j, of `members` that agree on both minima of at least one band.

    Each band is sorted once (stably); equal keys are neighbours, so pairs come from comparing
    the keys held more than once with themselves shifted by 1, 2, ... until no run is that long.
    """
    if len(members) < 2:
        return np.empty((0, 2), dtype=np.int64)
    found: list[I64] = []
    sub = sigs[members].astype(np.uint64)
    for band in range(WINDOW_BANDS):
        keys = (sub[:, 2 * band] << np.uint64(32)) | sub[:, 2 * band + 1]
        order = stable_argsort(keys)
        ordered = keys[order]
        repeated = ordered[1:] == ordered[:-1]
        if not repeated.any():
            continue
        in_run = np.r_[repeated, False] | np.r_[False, repeated]
        order, ordered = order[in_run], ordered[in_run]
        for distance in range(1, _MAX_RUN + 1):
            same = np.flatnonzero(ordered[:-distance] == ordered[distance:])
            if len(same) == 0:
                break
            found.append(np.stack([members[order[same]], members[order[same + distance]]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    pairs.sort(axis=1)
    return unique_pairs(pairs)


def stable_argsort(keys: npt.NDArray[np.uint64]) -> I64:
    """np.argsort(keys, kind="stable") for fewer than 2**32 keys, as two sorts of packed 64-bit
    values (a two-digit radix sort), which numpy does about twice as fast."""
    low = np.uint64(0xFFFF_FFFF)
    index = np.arange(len(keys), dtype=np.uint64)
    by_low = np.sort(((keys & low) << np.uint64(32)) | index) & low
    by_high = np.sort(((keys[by_low.astype(np.int64)] >> np.uint64(32)) << np.uint64(32)) | index) & low
    order: I64 = by_low[by_high.astype(np.int64)].astype(np.int64)
    return order


def shingle_hashes(tokens: npt.NDArray[np.uint64], owner: I64, sizes: I64) -> tuple[U32, I64]:
    """Hashes of every run of `size` consecutive tokens of one owner, deduplicated per owner.

    `tokens` are 32-bit token hashes of all items end to end, `owner[t]` the item of token t and
    `sizes[i]` the shingle size of item i.  Returns (shingles, offsets) sorted per item.
    """
    n = len(sizes)
    if len(tokens) == 0:
        return np.empty(0, dtype=np.uint32), np.zeros(n + 1, dtype=np.int64)
    keys: list[npt.NDArray[np.uint64]] = []
    for k in np.unique(sizes):
        k = int(k)
        if len(tokens) < k:
            continue
        span = len(tokens) - k + 1
        h = np.zeros(span, dtype=np.uint64)
        for j in range(k):
            h += tokens[j : j + span] * np.uint64(_MIX[j])
        valid = (owner[:span] == owner[k - 1 :]) & (sizes[owner[:span]] == k)
        h = _finalize(h[valid])
        keys.append((owner[:span][valid].astype(np.uint64) << np.uint64(32)) | h)
    if not keys:
        return np.empty(0, dtype=np.uint32), np.zeros(n + 1, dtype=np.int64)
    merged = unique_sorted(np.concatenate(keys))
    owners = (merged >> np.uint64(32)).astype(np.int64)
    offsets = np.searchsorted(owners, np.arange(n + 1)).astype(np.int64)
    return (merged & np.uint64(0xFFFF_FFFF)).astype(np.uint32), offsets


_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD)


def _finalize(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64's finalizer: every input bit reaches the top 32 bits that are kept."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h >> np.uint64(32)
