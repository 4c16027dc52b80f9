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

from . import text

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_SEPARATOR, _WORD, _CJK = 0, 1, 2
_K = np.uint64(0x9E3779B97F4A7C15)  # odd, so it has an inverse mod 2**64
_K_INVERSE = np.uint64(pow(0x9E3779B97F4A7C15, -1, 1 << 64))
_CHUNK_CHARS = 1 << 19  # code points per step, to bound temporary arrays (~25 MB)


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


def _power_tables(n: int) -> tuple[U64, U64]:
    """K**(p+1) and K**-(p+1) for p < n, from a table kept for the largest chunk."""
    global _POWERS
    if len(_POWERS[0]) < n:
        size = max(n, _CHUNK_CHARS + 1)
        powers: U64 = np.cumprod(np.full(size, _K, dtype=np.uint64), dtype=np.uint64)
        inverse: U64 = np.cumprod(np.full(size, _K_INVERSE, dtype=np.uint64), dtype=np.uint64)
        _POWERS = (powers, inverse)
    return _POWERS


_POWERS: tuple[U64, U64] = (np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint64))


@cache
def _values() -> U64:
    """What a code point adds to its token's hash (before its power of K): 0 for separators."""
    table = np.arange(1, 0x10001, dtype=np.uint64)
    table[_classes() == _SEPARATOR] = 0
    return table


def _chunk(segments: Sequence[str]) -> tuple[U64, I64]:
    joined = "\0".join(segments) + "\0"
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    # U+FFFF is a separator, so emoji and rare ideographs outside the BMP clamp to one
    clamped = np.minimum(points, 0xFFFF)
    classes = _classes()[clamped]
    word = classes == _WORD
    starts = np.flatnonzero((classes == _CJK) | (word & ~np.r_[False, word[:-1]]))
    n = len(points)
    powers, inverse = _power_tables(n)  # K**(p+1) and its inverse
    values = _values()[clamped]
    values *= powers[:n]
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


# ---------------------------------------------------------------------- title terms in bulk
# text.title_hashes, for a whole batch: the same tokens (numbers with their decimals, CJK runs
# cut into character pairs, words) found with array operations over the joined titles.  CJK
# pairs, most of a Chinese batch's distinct terms, are hashed here (crc32 by table, as zlib
# does); each distinct word or number goes once through text._term_hash.  Titles with
# characters these arrays do not model (beyond the BMP, or letters and digits from U+3040 on
# outside the CJK ranges, which title_hashes cuts into pairs too) take title_hashes itself.

_OTHER, _DIGIT, _LETTER, _HAN, _DOT = 0, 1, 2, 3, 4
U32 = npt.NDArray[np.uint32]


@cache
def _title_tables() -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_], npt.NDArray[np.bool_], U32]:
    """Per BMP code point: its class in text._TITLE_TOKEN, whether it is numeric, whether a Chinese
    stop character; and zlib's crc32 table."""
    cjk = _classes() == _CJK
    kind = np.zeros(0x10000, dtype=np.uint8)
    numeric = np.zeros(0x10000, dtype=np.bool_)
    for cp in range(0x10000):
        ch = chr(cp)
        numeric[cp] = ch.isnumeric()
        if cjk[cp]:
            kind[cp] = _HAN
        elif ch.isdecimal():
            kind[cp] = _DIGIT
        elif ch.isalnum():
            kind[cp] = _LETTER
    kind[ord(".")] = _DOT
    stop = np.zeros(0x10000, dtype=np.bool_)
    stop[[ord(c) for c in text.STOPCHARS_ZH]] = True
    crc = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        crc = np.where(crc & 1, (crc >> np.uint32(1)) ^ np.uint32(0xEDB88320), crc >> np.uint32(1)).astype(np.uint32)
    return kind, numeric, stop, crc


def title_terms(titles: Sequence[str], normalized: Sequence[str] | None = None) -> tuple[U32, I64]:
    """(terms, offsets): text.title_hashes of every title, title t's at terms[offsets[t]:offsets[t + 1]].

    `normalized`: the titles through normalize_fast, when the caller has them already.
    """
    if normalized is None:
        normalized = [normalize_fast(title) for title in titles]
    terms: list[U32] = []
    counts: list[I64] = []
    for start in range(0, len(titles), _TITLES_PER_STEP):  # bounds the temporary arrays
        stop = start + _TITLES_PER_STEP
        found, offsets = _title_block(titles[start:stop], normalized[start:stop])
        terms.append(found)
        counts.append(np.diff(offsets))
    if not terms:
        return np.empty(0, dtype=np.uint32), np.zeros(1, dtype=np.int64)
    return np.concatenate(terms), np.concatenate([[0], np.cumsum(np.concatenate(counts))]).astype(np.int64)


_TITLES_PER_STEP = 16384


def _title_block(titles: Sequence[str], normalized: Sequence[str]) -> tuple[U32, I64]:
    kind_of, numeric_of, stop_of, crc_table = _title_tables()
    joined = text.drop_thousands("\0".join(normalized) + "\0")
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.concatenate([[0], np.cumsum(points[:-1] == 0)])
    kind = kind_of[np.minimum(points, 0xFFFF)]
    # what the arrays do not model: such titles take the per-title path
    unusual = (points > 0xFFFF) | ((points >= 0x3040) & ((kind == _DIGIT) | (kind == _LETTER)))
    fallback = np.zeros(len(titles), dtype=np.bool_)
    fallback[owner[unusual]] = True

    starts, ends, hashes, keep = [], [], [], []
    # CJK runs: a lone character, or every pair of neighbours
    han = kind == _HAN
    run_start = han & ~np.r_[False, han[:-1]]
    run_end = han & ~np.r_[han[1:], False]
    single = np.flatnonzero(run_start & run_end)
    pair = np.flatnonzero(han[:-1] & han[1:])
    for first, width in ((single, 1), (pair, 2)):
        chars = [points[first + k] for k in range(width)]
        crc = np.full(len(first), 0xFFFF_FFFF, dtype=np.uint32)
        for cp in chars:  # UTF-8 of a code point from U+0800 on: three bytes
            for byte in (0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)):
                crc = crc_table[(crc ^ byte.astype(np.uint32)) & np.uint32(0xFF)] ^ (crc >> np.uint32(8))
        crc ^= np.uint32(0xFFFF_FFFF)
        number = np.logical_and.reduce([numeric_of[cp] for cp in chars])
        stop = np.logical_and.reduce([stop_of[cp] for cp in chars])
        starts.append(first)
        ends.append(first + width)
        hashes.append(np.where(number, crc | np.uint32(text.NUMBER_BIT), crc & np.uint32(~text.NUMBER_BIT & 0xFFFF_FFFF)))
        keep.append(number | ~stop)
    # words and numbers: runs of letters and digits; a run that starts with digits opens with a
    # number, and a number takes ".digits" from the next run while its own run has no letter
    alnum = (kind == _DIGIT) | (kind == _LETTER)
    first = np.flatnonzero(alnum & ~np.r_[False, alnum[:-1]])
    last = np.flatnonzero(alnum & ~np.r_[alnum[1:], False]) + 1
    letter_at = np.flatnonzero(kind == _LETTER)
    first_letter = letter_at[np.minimum(np.searchsorted(letter_at, first), max(len(letter_at) - 1, 0))] \
        if len(letter_at) else np.full(len(first), len(points))
    first_letter = np.where((first_letter >= first) & (first_letter < last), first_letter, last)
    word = first_letter < last
    numbered = np.flatnonzero(first_letter > first)  # runs that open with digits
    number_end = first_letter[numbered]
    dot_after = np.minimum(last[numbered], len(points) - 2)
    joins = (~word[numbered]) & (kind[dot_after] == _DOT) & (kind[dot_after + 1] == _DIGIT) \
        & (last[numbered] + 1 < len(points))
    joins &= np.r_[first[numbered][1:] == last[numbered][:-1] + 1, False]  # ... the next run, right there
    opens = np.r_[True, ~joins[:-1]] if len(joins) else np.empty(0, dtype=np.bool_)
    group = np.cumsum(opens) - 1
    number_start = first[numbered][opens]
    number_stop = np.zeros(int(opens.sum()), dtype=np.int64)
    np.maximum.at(number_stop, group, number_end)
    spans = [(number_start, number_stop), (first_letter[word], last[word])]
    for span_start, span_end in spans:
        values, known = _python_terms(joined, points, span_start, span_end)
        starts.append(span_start)
        ends.append(span_end)
        hashes.append(values)
        keep.append(known)

    start = np.concatenate(starts)  # tokens in the order they stand (no two start at one place)
    order = (np.sort((start.astype(np.uint64) << np.uint64(32)) | np.arange(len(start), dtype=np.uint64))
             & np.uint64(0xFFFF_FFFF)).astype(np.int64)
    start, value = start[order], np.concatenate(hashes)[order]
    kept = np.concatenate(keep)[order]
    term_owner = owner[start]
    kept &= ~fallback[term_owner]
    terms, term_owner = value[kept], term_owner[kept]
    counts = np.bincount(term_owner, minlength=len(titles))
    if fallback.any():  # splice in the per-title results
        exact = {int(t): text.title_hashes(titles[int(t)]) for t in np.flatnonzero(fallback)}
        parts = np.split(terms, np.cumsum(counts)[:-1])
        for t, found in exact.items():
            parts[t] = np.asarray(found, dtype=np.uint32)
        counts = np.array([len(p) for p in parts], dtype=np.int64)
        terms = np.concatenate(parts) if parts else terms
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return terms.astype(np.uint32), offsets


def _python_terms(joined: str, points: I64, start: I64, end: I64) -> tuple[U32, npt.NDArray[np.bool_]]:
    """text._term_hash of each span of `joined`, computed once per distinct span (spans are told
    apart by a 64-bit polynomial hash of their code points)."""
    if len(start) == 0:
        return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.bool_)
    lengths = end - start
    step = np.arange(int(lengths.sum()), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    at = np.repeat(start, lengths) + step
    powers = _power_tables(int(lengths.max()))[0]
    values = (points[at].astype(np.uint64) + np.uint64(1)) * powers[step]
    key = np.add.reduceat(values, np.cumsum(lengths) - lengths) ^ lengths.astype(np.uint64)
    ordered = np.sort(key)
    distinct = ordered[np.r_[True, ordered[1:] != ordered[:-1]]]
    inverse = np.searchsorted(distinct, key)
    first = np.empty(len(distinct), dtype=np.int64)
    first[inverse] = np.arange(len(key))  # a span of each distinct value (any: they are alike)
    memo = text._TERMS
    found = np.empty(len(distinct), dtype=np.int64)
    for k, (s, e) in enumerate(zip(start[first].tolist(), end[first].tolist(), strict=True)):
        token = joined[s:e]
        value = memo.get(token, -1)
        if value == -1:
            value = text._term_hash(token)
            if len(memo) < 2_000_000:
                memo[token] = value
        found[k] = -1 if value is None else value
    result = found[inverse]
    return np.where(result >= 0, result, 0).astype(np.uint32), result >= 0

