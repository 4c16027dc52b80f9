"""What earlier digests carried, as flat arrays that match a whole window at once.

digest.state.history loads it from SQLite; this module only compares.  A history of 500,000
fingerprints costs about 200 bytes each in memory (a 128-byte b-bit signature, title terms,
keys) and is matched without Python objects per row: the window's items are sorted into an
index (one per LSH band) and the stored signatures stream through it; titles are matched with
an inverted index of sorted arrays and prefix filtering.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from . import minhash, titles
from .fingerprint import Fingerprints

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
_BLOCK = 65536  # stored rows per step when streaming signatures


@dataclass(frozen=True)
class SentRef:
    """An item of an earlier digest, as explain shows it."""

    title: str
    url: str
    source: str
    sent_at: datetime


@dataclass(frozen=True)
class HistoryMatch:
    row: int  # index into the History arrays
    rule: str  # "same-url", "same-id", "text" or "title"
    similarity: float


def key_hash(kind: str, value: str) -> int:
    """64-bit key of an exact identity ('id' or 'url'), signed so SQLite stores it as an INTEGER."""
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _no_details(entries: Sequence[int]) -> Mapping[int, SentRef]:
    return {}


@dataclass(frozen=True)
class Stored:
    """One history row as the state file stores it (little-endian byte strings)."""

    url_keys: bytes  # int64 key hashes of the item's URL and its `also` URLs
    id_keys: bytes  # int64 key hashes of the item's id
    sig: bytes | None  # NUM_PERM-byte b-bit MinHash; None when headline-only
    size: int  # shingles behind `sig`
    terms: bytes  # uint32 title term hashes, in order


def encode(url_keys: Sequence[int], id_keys: Sequence[int], sig: minhash.U32 | None, size: int,
           terms: Sequence[int]) -> Stored:
    """A fingerprint in its stored form."""
    return Stored(
        url_keys=np.asarray(url_keys, dtype="<i8").tobytes(),
        id_keys=np.asarray(id_keys, dtype="<i8").tobytes(),
        sig=None if sig is None else minhash.bbit(sig).tobytes(),
        size=size,
        terms=np.asarray(terms, dtype="<u4").tobytes(),
    )


def _blob_column(blobs: Sequence[bytes], dtype: type[np.generic]) -> tuple[npt.NDArray[Any], I64]:
    """Concatenated values of per-row blobs, and the row of each value."""
    width = np.dtype(dtype).itemsize
    counts = np.fromiter((len(b) // width for b in blobs), dtype=np.int64, count=len(blobs))
    values = np.frombuffer(b"".join(blobs), dtype=np.dtype(dtype).newbyteorder("<"))
    return values.astype(dtype), np.repeat(np.arange(len(blobs), dtype=np.int64), counts)


@dataclass(frozen=True, eq=False)
class History:
    """Fingerprints of items already sent, one row each, ready to be matched against a window.

    `entry_ids` are the database ids that `details` turns into SentRefs for the few rows a
    window matched: loading every title and URL of a year's history would cost more memory
    than everything else here together.
    """

    entry_ids: I64
    source_keys: I64  # key_hash("source", name) of each row's source
    keys: U64  # sorted key hashes (as unsigned) ...
    key_rows: I64  # ... the row each belongs to ...
    key_is_url: npt.NDArray[np.bool_]  # ... and whether it is a URL (else an id)
    sigs: minhash.U8  # (n, NUM_PERM) b-bit signatures; rows without a body are zero
    sizes: I64  # shingles behind each signature; 0: headline-only (no text rule)
    terms: U32  # title terms of all rows end to end (numbers tagged, see text.py) ...
    term_offsets: I64  # ... row r's at terms[term_offsets[r]:term_offsets[r + 1]]
    details: Callable[[Sequence[int]], Mapping[int, SentRef]] = field(default=_no_details, compare=False)

    @classmethod
    def empty(cls) -> History:
        return cls.from_blobs(entry_ids=[], source_keys=[], url_keys=[], id_keys=[], sigs=[], sizes=[], terms=[])

    @classmethod
    def from_blobs(
        cls,
        *,
        entry_ids: Sequence[int],
        source_keys: Sequence[int],
        url_keys: Sequence[bytes],
        id_keys: Sequence[bytes],
        sigs: Sequence[bytes | None],
        sizes: Sequence[int],
        terms: Sequence[bytes],
        details: Callable[[Sequence[int]], Mapping[int, SentRef]] = _no_details,
    ) -> History:
        """Arrays from stored rows, in the byte layout of `Stored` (one concatenation per column)."""
        n = len(entry_ids)
        url = _blob_column(url_keys, np.int64)
        ids = _blob_column(id_keys, np.int64)
        all_keys = np.concatenate([url[0], ids[0]]).view(np.uint64)
        rows = np.concatenate([url[1], ids[1]])
        is_url = np.concatenate([np.ones(len(url[0]), dtype=np.bool_), np.zeros(len(ids[0]), dtype=np.bool_)])
        order = np.argsort(all_keys, kind="stable")
        has_sig = np.fromiter((s is not None and len(s) == minhash.NUM_PERM for s in sigs), dtype=np.bool_, count=n)
        sig_matrix = np.zeros((n, minhash.NUM_PERM), dtype=np.uint8)
        if has_sig.any():
            joined = b"".join(s for s in sigs if s is not None and len(s) == minhash.NUM_PERM)
            sig_matrix[has_sig] = np.frombuffer(joined, dtype=np.uint8).reshape(-1, minhash.NUM_PERM)
        flat_terms, term_rows = _blob_column(terms, np.uint32)
        return cls(
            entry_ids=np.asarray(entry_ids, dtype=np.int64),
            source_keys=np.asarray(source_keys, dtype=np.int64),
            keys=all_keys[order],
            key_rows=rows[order],
            key_is_url=is_url[order],
            sigs=sig_matrix,
            sizes=np.where(has_sig, np.asarray(sizes, dtype=np.int64), 0) if n else np.empty(0, dtype=np.int64),
            terms=flat_terms.astype(np.uint32),
            term_offsets=np.searchsorted(term_rows, np.arange(n + 1)).astype(np.int64),
            details=details,
        )

    def __len__(self) -> int:
        return len(self.entry_ids)

    def row_terms(self, row: int) -> titles.Terms:
        return tuple(self.terms[self.term_offsets[row] : self.term_offsets[row + 1]].tolist())

    def describe(self, rows: Sequence[int]) -> dict[int, SentRef]:
        """SentRefs of matched rows, by row (read from the state file on demand)."""
        wanted = {int(self.entry_ids[row]): row for row in rows}
        found = self.details(list(wanted))
        return {wanted[entry]: ref for entry, ref in found.items() if entry in wanted}

    # ------------------------------------------------------------------ exact keys

    def match_keys(self, keys: Sequence[Sequence[tuple[bool, int]]]) -> dict[int, HistoryMatch]:
        """For each position whose (is_url, key hash) pairs include a stored key: the very item was sent."""
        found: dict[int, HistoryMatch] = {}
        if len(self.keys) == 0:
            return found
        owner = np.fromiter((p for p, ks in enumerate(keys) for _ in ks), dtype=np.int64)
        probe = np.fromiter((k & 0xFFFF_FFFF_FFFF_FFFF for ks in keys for _, k in ks), dtype=np.uint64, count=len(owner))
        is_url = np.fromiter((u for ks in keys for u, _ in ks), dtype=np.bool_, count=len(owner))
        at = np.searchsorted(self.keys, probe)
        inside = at < len(self.keys)
        for i in np.flatnonzero(inside & (self.keys[np.minimum(at, len(self.keys) - 1)] == probe)).tolist():
            position, j = int(owner[i]), int(at[i])
            while j < len(self.keys) and self.keys[j] == probe[i]:  # equal hashes of a URL and an id
                if bool(self.key_is_url[j]) == bool(is_url[i]) and position not in found:
                    found[position] = HistoryMatch(int(self.key_rows[j]), "same-url" if is_url[i] else "same-id", 1.0)
                j += 1
        return found

    # ------------------------------------------------------------------ text rule

    def match_text(
        self, fp: Fingerprints, members: I64, threshold: float, sources: Sequence[int] | None = None
    ) -> dict[int, HistoryMatch]:
        """For window rows `members` (with a body): the best stored row at or above `threshold`.

        Containment is estimated from the b-bit Jaccard estimate and both set sizes.  A stored
        row of the same source (`sources`: source key by window row) must also have a similar
        title: one source's items often share a boilerplate text and nothing else.
        """
        found: dict[int, HistoryMatch] = {}
        stored = np.flatnonzero(self.sizes > 0)
        if len(members) == 0 or len(stored) == 0:
            return found
        window = minhash.bbit(fp.sigs[members])
        window_keys = minhash.all_history_keys(window)
        orders = np.argsort(window_keys, axis=1)
        ordered_keys = np.take_along_axis(window_keys, orders, axis=1)
        chunks: list[I64] = []
        present = np.zeros(1 << 24, dtype=np.bool_)  # band keys are 24 bits: a direct-address table
        for start in range(0, len(stored), _BLOCK):
            rows = stored[start : start + _BLOCK]
            stored_keys = minhash.all_history_keys(self.sigs[rows])
            for band in range(minhash.HISTORY_BANDS):
                keys, order, ordered = window_keys[band], orders[band], ordered_keys[band]
                present[keys] = True
                probe = stored_keys[band]
                hit = np.flatnonzero(present[probe])
                if len(hit) == 0:
                    present[keys] = False
                    continue
                left = np.searchsorted(ordered, probe[hit], side="left")
                repeat = np.searchsorted(ordered, probe[hit], side="right") - left
                first = np.repeat(left, repeat)
                step = np.arange(int(repeat.sum())) - np.repeat(np.cumsum(repeat) - repeat, repeat)
                chunks.append(np.stack([order[first + step], np.repeat(rows[hit], repeat)], axis=1))
                present[keys] = False
        if not chunks:
            return found
        pairs = minhash.unique_pairs(np.concatenate(chunks))
        jaccard = minhash.estimate(window[pairs[:, 0]], self.sigs[pairs[:, 1]])
        a = np.diff(fp.offsets)[members][pairs[:, 0]].astype(np.float64)
        b = self.sizes[pairs[:, 1]].astype(np.float64)
        contained = np.minimum(1.0, jaccard * (a + b) / (1.0 + jaccard) / np.minimum(a, b))
        keep = np.flatnonzero(contained >= threshold)
        for w, row, score in zip(pairs[keep, 0].tolist(), pairs[keep, 1].tolist(), contained[keep].tolist(), strict=True):
            item = int(members[w])
            stored_terms = self.row_terms(row)
            if not titles.numbers_agree(fp.titles[item], stored_terms):
                continue
            if sources is not None and sources[item] == self.source_keys[row] \
                    and titles.similarity(fp.titles[item], stored_terms) < titles.SAME_SOURCE_TITLE:
                continue
            best = found.get(item)
            if best is None or score > best.similarity:
                found[item] = HistoryMatch(row, "text", score)
        return found

    # ------------------------------------------------------------------ title rule

    def match_titles(
        self, fp: Fingerprints, members: Sequence[int], threshold: float,
        weights: titles.SourceTemplates | None = None,
    ) -> dict[int, HistoryMatch]:
        """For window rows `members`: the best stored title match where one side is headline-only.

        A window item with a body is only compared with headline-only stored rows; `weights`
        (by window row) discount a source's template terms, see titles.similarity.
        """
        found: dict[int, HistoryMatch] = {}
        if not members or len(self) == 0:
            return found
        headlines = [m for m in members if not fp.has_body[m]]
        bodied = [m for m in members if fp.has_body[m]]
        for group, only_headlines in ((headlines, False), (bodied, True)):
            if not group:
                continue
            index = self._title_index(threshold, only_headlines)
            pairs = index.candidates(*titles.flatten([fp.titles[m] for m in group], group))
            for m, row in pairs.tolist():
                score = titles.similarity(fp.titles[m], self.row_terms(row), weights[m] if weights else None)
                if score >= threshold and (m not in found or score > found[m].similarity):
                    found[m] = HistoryMatch(row, "title", score)
        return found

    def _title_index(self, threshold: float, only_headlines: bool) -> titles.TitleIndex:
        """The index of stored titles (all, or headline-only rows), built once per threshold."""
        cache: dict[tuple[float, bool], titles.TitleIndex] = self.__dict__.setdefault("_title_cache", {})
        if (threshold, only_headlines) not in cache:
            rows = np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.term_offsets))
            terms = self.terms
            if only_headlines:
                keep = self.sizes[rows] == 0
                rows, terms = rows[keep], terms[keep]
            cache[(threshold, only_headlines)] = titles.TitleIndex(rows, terms, len(self), threshold)
        return cache[(threshold, only_headlines)]
