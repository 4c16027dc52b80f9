"""What dedup compares of an item, computed for a whole batch: shingles, signature, title terms.

The text rule looks at the title plus the start of the text (the lead is where copies of one
story agree; later paragraphs drift with edits and truncation).  An item whose text adds
almost nothing to its title is "headline-only": only the title rule may match it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..models import Item
from . import minhash, streams
from .postings import TitleTerms
from .text import tokens

# Bump when any constant below or the hashing changes: stored fingerprints of another version
# are then ignored by the near-duplicate rules (exact URL/id keys still match).
VERSION = 1

SHINGLE = {"zh": 3, "en": 3}  # tokens per shingle: 3 words, or 3 characters
LEAD = {"zh": 120, "en": 60}  # tokens of the text after the title that are compared
# Fewer body tokens than this: headline-only.  Also bounds how much smaller a truncated copy's
# shingle set can be than the full text's, which keeps it findable by LSH (see minhash.py).
MIN_BODY = {"zh": 40, "en": 20}
_CHARS = {"zh": 240, "en": 600}  # enough characters of text to hold LEAD tokens
_PAIRS_PER_STEP = 8192  # containments computed together (about 1.3 million shingles)
_BLOCK = 4096  # items fingerprinted together


@dataclass(frozen=True, eq=False)
class Fingerprints:
    """One row per item, as flat arrays, so a batch of 50,000 costs no Python objects per shingle."""

    shingles: minhash.U32  # unique shingle hashes, item i's at shingles[offsets[i]:offsets[i+1]]
    offsets: minhash.I64
    sigs: minhash.U32  # (n, NUM_PERM) MinHash minima
    has_body: npt.NDArray[np.bool_]  # enough text for the text rule
    titles: TitleTerms  # significant title terms in order (numbers tagged, see text.py)

    def __len__(self) -> int:
        return len(self.titles)

    def shingle_set(self, i: int) -> minhash.U32:
        return self.shingles[self.offsets[i] : self.offsets[i + 1]]

    def size(self, i: int) -> int:
        return int(self.offsets[i + 1] - self.offsets[i])

    def containment(self, i: int, j: int) -> float:
        """Exact share of the smaller shingle set found in the other (1.0 for a truncated copy)."""
        a, b = self.shingle_set(i), self.shingle_set(j)
        if len(a) == 0 or len(b) == 0:
            return 0.0
        return len(np.intersect1d(a, b, assume_unique=True)) / min(len(a), len(b))

    def containments(self, pairs: minhash.I64) -> list[float]:
        """`containment` of many (i, j) pairs at once: both shingle sets of a pair, tagged with the
        pair, sorted together; a shingle found twice under one tag is in both."""
        scores: list[float] = []
        sizes = np.diff(self.offsets)
        for start in range(0, len(pairs), _PAIRS_PER_STEP):
            chunk = pairs[start : start + _PAIRS_PER_STEP]
            a, b = sizes[chunk[:, 0]], sizes[chunk[:, 1]]
            tag = np.arange(len(chunk), dtype=np.uint64) << np.uint64(32)
            both = np.sort(np.concatenate([
                np.repeat(tag, a) | self.shingles[minhash.ranges(self.offsets[chunk[:, 0]], a)],
                np.repeat(tag, b) | self.shingles[minhash.ranges(self.offsets[chunk[:, 1]], b)],
            ]))
            twice = (both[1:] >> np.uint64(32))[both[1:] == both[:-1]].astype(np.int64)
            shared = np.bincount(twice, minlength=len(chunk))
            scores.extend(s / m if m else 0.0 for s, m in zip(shared.tolist(), np.minimum(a, b).tolist(), strict=True))
        return scores


def language_key(language: str) -> str:
    return "zh" if language.startswith("zh") else "en"


def split_lead(item: Item) -> tuple[list[str], list[str]]:
    """(title tokens, body tokens) as strings: what `fingerprint` hashes, in readable form.

    The body loses a repeated title and is cut to the lead length.  `fingerprint` computes the
    same in bulk (streams.py); this form is for tests and the datasketch baseline.
    """
    lang = language_key(item.language)
    title = tokens(item.title)
    body = tokens(item.text[: _CHARS[lang] + len(item.title)])
    if title and body[: len(title)] == title:
        body = body[len(title) :]
    return title, body[: LEAD[lang]]


def fingerprint(items: Sequence[Item]) -> Fingerprints:
    """Fingerprints of `items`, in order (worked out _BLOCK items at a time, which bounds the
    temporary arrays and keeps them in cache)."""
    n = len(items)
    langs = [language_key(item.language) for item in items]
    titles = [streams.normalize_fast(item.title) for item in items]
    sigs = np.zeros((n, minhash.NUM_PERM), dtype=np.uint32)
    has_body = np.zeros(n, dtype=np.bool_)
    shingles: list[minhash.U32] = []
    sizes: list[minhash.I64] = []
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        block, block_offsets, has_body[start:stop] = _shingles(items[start:stop], langs[start:stop], titles[start:stop])
        sigs[start:stop] = minhash.signatures(block, block_offsets)
        shingles.append(block)
        sizes.append(np.diff(block_offsets))
    return Fingerprints(
        shingles=np.concatenate(shingles) if shingles else np.empty(0, dtype=np.uint32),
        offsets=np.concatenate([[0], np.cumsum(np.concatenate(sizes))]).astype(np.int64) if sizes
        else np.zeros(1, dtype=np.int64),
        sigs=sigs,
        has_body=has_body,
        titles=TitleTerms(*streams.title_terms([item.title for item in items], titles)),
    )


def _shingles(items: Sequence[Item], langs: list[str], titles: list[str]) -> tuple[
        minhash.U32, minhash.I64, npt.NDArray[np.bool_]]:
    """(shingles, offsets, has_body) of a block of items; `titles` are theirs, normalized."""
    n = len(items)
    segments: list[str] = []
    for item, lang, title in zip(items, langs, titles, strict=True):
        segments.append(title)
        segments.append(streams.normalize_fast(item.text[: _CHARS[lang] + len(item.title)]))
    hashes, offsets = streams.token_hashes(segments)
    title_start, body_start = offsets[0 : 2 * n : 2].copy(), offsets[1 : 2 * n : 2].copy()
    title_len = body_start - title_start
    body_end = offsets[2 : 2 * n + 1 : 2]
    _strip_repeated_titles(hashes, title_start, title_len, body_start, body_end)
    lead = np.fromiter((LEAD[lang] for lang in langs), dtype=np.int64, count=n)
    body_len = np.minimum(body_end - body_start, lead)
    minimum = np.fromiter((MIN_BODY[lang] for lang in langs), dtype=np.int64, count=n)
    # each item's stream: its title tokens, then its lead tokens
    starts = np.stack([title_start, body_start], axis=1).ravel()
    lengths = np.stack([title_len, body_len], axis=1).ravel()
    stream = hashes[_ranges(starts, lengths)]
    owner = np.repeat(np.arange(n, dtype=np.int64), title_len + body_len)
    sizes = np.fromiter((SHINGLE[lang] for lang in langs), dtype=np.int64, count=n)
    shingles, shingle_offsets = minhash.shingle_hashes(stream, owner, sizes)
    return shingles, shingle_offsets, body_len >= minimum


def _ranges(starts: minhash.I64, lengths: minhash.I64) -> minhash.I64:
    """Concatenated aranges: starts[k] .. starts[k] + lengths[k] for every k."""
    total = int(lengths.sum())
    step = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(starts, lengths) + step


def _strip_repeated_titles(hashes: streams.U64, title_start: minhash.I64, title_len: minhash.I64,
                           body_start: minhash.I64, body_end: minhash.I64) -> None:
    """Move body_start past the title where a text begins by repeating it (many feeds do)."""
    rows = np.flatnonzero((title_len > 0) & (body_end - body_start >= title_len))
    if len(rows) == 0:
        return
    lengths = title_len[rows]
    same = hashes[_ranges(title_start[rows], lengths)] == hashes[_ranges(body_start[rows], lengths)]
    repeated = rows[np.logical_and.reduceat(same, np.cumsum(lengths) - lengths)]
    body_start[repeated] += title_len[repeated]
