"""Token hashes of many texts at once, without a Python operation per token.

The texts of a batch are joined into one array of code points; a lookup table classes each
code point as part of a word, a CJK character (a token of its own) or a separator, exactly
as text.tokens() splits; and each token's hash is a polynomial over its code points, taken
from prefix sums (mod 2**64), so no token string is ever built.  Per token this costs a few
numpy operations instead of a regex match, a string and a dict lookup: it is what makes a
window of 50,000 items cheap to fingerprint.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_SEPARATOR, _WORD, _CJK = 0, 1, 2
_K = np.uint64(0x9E3779B97F4A7C15)  # odd, so it has an inverse mod 2**64
_K_INVERSE = np.uint64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))
_CHUNK_CHARS = 1 << 21  # code points per step, to bound temporary arrays (~100 MB)


@cache
def _classes() -> npt.NDArray[np.uint8]:
    """Class of every BMP code point; built once (about 30 ms), the same rules as text._TOKEN."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for cp in range(0x10000):
        if 0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7AF \
                or 0xF900 <= cp <= 0xFAFF:
            table[cp] = _CJK
        elif chr(cp).isalnum():
            table[cp] = _WORD
    return table


def normalize_fast(text: str) -> str:
    """text.normalize(), with a shortcut for ASCII (where NFKC changes nothing)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


def token_hashes(segments: Sequence[str]) -> tuple[U64, I64]:
    """(hashes, offsets): the token hashes of every segment, segment s's at hashes[offsets[s]:offsets[s+1]].

    Segments are normalized strings; a token never spans two segments.
    """
    hashes: list[U64] = []
    counts: list[I64] = []
    start = 0
    while start < len(segments):
        stop, size = start, 0
        while stop < len(segments) and (size == 0 or size + len(segments[stop]) < _CHUNK_CHARS):
            size += len(segments[stop]) + 1
            stop += 1
        h, c = _chunk(segments[start:stop])
        hashes.append(h)
        counts.append(c)
        start = stop
    if not hashes:
        return np.empty(0, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    all_counts = np.concatenate(counts)
    return np.concatenate(hashes), np.concatenate([[0], np.cumsum(all_counts)]).astype(np.int64)


def _chunk(segments: Sequence[str]) -> tuple[U64, I64]:
    joined = "\0".join(segments) + "\0"
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    classes = _classes()[np.minimum(points, 0xFFFF)]
    classes[points > 0xFFFF] = _SEPARATOR  # emoji and rare ideographs outside the BMP
    word = classes == _WORD
    cjk = classes == _CJK
    starts = np.flatnonzero(cjk | (word & ~np.r_[False, word[:-1]]))
    in_token = word | cjk
    n = len(points)
    powers = np.cumprod(np.full(n, _K, dtype=np.uint64))  # K**(p+1)
    inverse = np.cumprod(np.full(n, _K_INVERSE, dtype=np.uint64))
    values = (points.astype(np.uint64) + np.uint64(1)) * powers * in_token
    sums = np.add.reduceat(values, starts) if len(starts) else np.empty(0, dtype=np.uint64)
    # shift each token's sum to start at K**0: the same token hashes the same anywhere
    raw = sums * inverse[starts]
    raw ^= raw >> np.uint64(31)
    raw *= np.uint64(0xBF58476D1CE4E5B9)
    raw ^= raw >> np.uint64(29)
    ends = np.flatnonzero(points == 0)  # one terminator per segment
    counts: I64 = np.diff(np.searchsorted(starts, np.r_[-1, ends])).astype(np.int64)
    hashes: U64 = (raw >> np.uint64(32)).astype(np.uint64)
    return hashes, counts
