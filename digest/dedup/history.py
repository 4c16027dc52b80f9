"""What earlier digests carried, as flat arrays that match a whole window at once.

digest.state.history stores one `Batch` per digest (every fingerprint of that digest in a few
columns of little-endian arrays) and loads a year of them in a few reads; this module only
encodes and compares.  A history of 500,000 fingerprints costs about 200 bytes each in memory
(a 128-byte b-bit signature, title terms, keys) and is matched without Python objects per row:
signatures are kept minimum-major, so each LSH band of every stored row is one contiguous
read that streams through a bit table of the window's band keys; titles are matched with an
inverted index of sorted arrays and prefix filtering (postings.TitleIndex), built for the run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from . import minhash, postings, titles
from .fingerprint import VERSION, Fingerprints

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
U32 = npt.NDArray[np.uint32]
_URL_BIT = 1 << 31  # in Batch.key_rows: the key is a URL's (else an id's)


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
    start = _KIND_HASHES.get(kind)
    if start is None:
        start = _KIND_HASHES[kind] = hashlib.blake2b(f"{kind}:".encode(), digest_size=8)
    state = start.copy()  # blake2b of "kind:value", with "kind:" hashed once
    state.update(value.encode())
    return int.from_bytes(state.digest(), "little", signed=True)


_KIND_HASHES: dict[str, hashlib.blake2b] = {}


def _no_details(entries: Sequence[int]) -> Mapping[int, SentRef]:
    return {}


@dataclass(frozen=True)
class Batch:
    """One digest's fingerprints as the state file stores them: a row per sent item (and per `also`
    copy), in columns, so loading costs a few reads per digest rather than Python work per row."""

    source_keys: bytes  # int64 per row: key_hash("source", name)
    keys: bytes  # int64 exact-key hashes (URLs, ids) of all rows ...
    key_rows: bytes  # ... uint32 per key: its row, with _URL_BIT set for a URL key
    sizes: bytes  # uint32 per row: shingles behind its signature; 0: headline-only, no signature
    sigs: bytes  # NUM_PERM b-bit minima per row with a signature, minimum-major (all first minima, then ...)
    terms: bytes  # uint32 title-term hashes of all rows end to end ...
    term_counts: bytes  # ... uint32 per row: how many are its


def encode(
    source_keys: Sequence[int], url_keys: Sequence[Sequence[int]], id_keys: Sequence[Sequence[int]],
    sigs: Sequence[bytes | None], sizes: Sequence[int], terms: Sequence[Sequence[int]],
) -> Batch:
    """A digest's fingerprints in their stored form; `sigs` are b-bit signatures (minhash.bbit), None without one."""
    n = len(source_keys)
    key_rows = [r | _URL_BIT for r, ks in enumerate(url_keys) for _ in ks] + [r for r, ks in enumerate(id_keys) for _ in ks]
    keys = [k for ks in url_keys for k in ks] + [k for ks in id_keys for k in ks]
    has_sig = [s is not None and len(s) == minhash.NUM_PERM for s in sigs]
    signed = [s for s, ok in zip(sigs, has_sig, strict=True) if ok and s is not None]
    matrix = np.frombuffer(b"".join(signed), dtype=np.uint8).reshape(len(signed), minhash.NUM_PERM)
    return Batch(
        source_keys=np.asarray(source_keys, dtype="<i8").reshape(n).tobytes(),
        keys=np.asarray(keys, dtype="<i8").tobytes(),
        key_rows=np.asarray(key_rows, dtype="<u4").tobytes(),
        sizes=np.asarray([size if ok else 0 for size, ok in zip(sizes, has_sig, strict=True)], dtype="<u4").tobytes(),
        sigs=np.ascontiguousarray(matrix.T).tobytes(),
        terms=np.asarray([t for ts in terms for t in ts], dtype="<u4").tobytes(),
        term_counts=np.asarray([len(ts) for ts in terms], dtype="<u4").tobytes(),
    )


@dataclass(frozen=True)
class Size:
    """How much a History of some batches holds: rows, exact keys, signatures, title terms."""

    rows: int
    keys: int
    sigs: int
    terms: int

    @classmethod
    def of(cls, batches: Sequence[tuple[I64, int, Batch]]) -> Size:
        current = [b for _, version, b in batches if version == VERSION]
        return cls(rows=sum(len(ids) for ids, _, _ in batches), keys=sum(len(b.keys) // 8 for _, _, b in batches),
                   sigs=sum(len(b.sigs) // minhash.NUM_PERM for b in current), terms=sum(len(b.terms) // 4 for b in current))


@dataclass(frozen=True, eq=False)
class History:
    """Fingerprints of items already sent, one row each, ready to be matched against a window.

    `entry_ids` are the database ids that `details` turns into SentRefs for the few rows a
    window matched: loading every title and URL of a year's history would cost more memory
    than everything else here together.
    """

    entry_ids: I64
    source_keys: I64  # key_hash("source", name) of each row's source
    keys: I64  # exact-key hashes (URLs and ids), in row order within each kind ...
    key_rows: I64  # ... the row each belongs to ...
    key_is_url: npt.NDArray[np.bool_]  # ... and whether it is a URL (else an id)
    sizes: I64  # shingles behind each signature; 0: headline-only (no text rule)
    sig_rows: I64  # the rows that have a signature (sizes > 0), ascending ...
    sig_cols: minhash.U8  # ... and their b-bit signatures, (NUM_PERM, len(sig_rows)), minimum-major
    terms: U32  # title terms of all rows end to end (numbers tagged, see text.py) ...
    term_offsets: I64  # ... row r's at terms[term_offsets[r]:term_offsets[r + 1]]
    details: Callable[[Sequence[int]], Mapping[int, SentRef]] = field(default=_no_details, compare=False)

    @classmethod
    def empty(cls) -> History:
        return cls.from_batches([])

    @classmethod
    def from_batches(
        cls, batches: Iterable[tuple[I64, int, Batch]],
        details: Callable[[Sequence[int]], Mapping[int, SentRef]] = _no_details, size: Size | None = None,
    ) -> History:
        """One History of stored digests, given as (entry ids, fingerprint version, batch), oldest first.

        With their `size` known, batches may be a stream (each is copied into place and let go, so
        a year of history never sits in memory twice).  Digests fingerprinted by another VERSION
        keep only their exact keys (their signatures and term hashes may mean something else now).
        """
        if size is None:
            batches = list(batches)
            size = Size.of(batches)
        entry_ids = np.empty(size.rows, dtype=np.int64)
        source_keys = np.empty(size.rows, dtype=np.int64)
        keys = np.empty(size.keys, dtype=np.int64)
        key_rows = np.empty(size.keys, dtype=np.int64)
        key_is_url = np.empty(size.keys, dtype=np.bool_)
        sizes = np.zeros(size.rows, dtype=np.int64)
        sig_rows = np.empty(size.sigs, dtype=np.int64)
        sig_cols = np.empty((minhash.NUM_PERM, size.sigs), dtype=np.uint8)
        terms = np.empty(size.terms, dtype=np.uint32)
        term_counts = np.zeros(size.rows, dtype=np.int64)
        row = key = sig = term = 0
        for ids, version, batch in batches:
            n, k = len(ids), len(batch.keys) // 8
            entry_ids[row : row + n] = ids
            source_keys[row : row + n] = np.frombuffer(batch.source_keys, dtype="<i8")
            keys[key : key + k] = np.frombuffer(batch.keys, dtype="<i8")
            raw = np.frombuffer(batch.key_rows, dtype="<u4")
            key_rows[key : key + k] = row + (raw & ~np.uint32(_URL_BIT)).astype(np.int64)
            key_is_url[key : key + k] = (raw & np.uint32(_URL_BIT)) != 0
            if version == VERSION:
                own = np.frombuffer(batch.sizes, dtype="<u4")
                signed = np.flatnonzero(own > 0)
                t = len(batch.terms) // 4
                sizes[row : row + n] = own
                sig_rows[sig : sig + len(signed)] = row + signed
                sig_cols[:, sig : sig + len(signed)] = np.frombuffer(batch.sigs, dtype=np.uint8).reshape(
                    minhash.NUM_PERM, len(signed))
                terms[term : term + t] = np.frombuffer(batch.terms, dtype="<u4")
                term_counts[row : row + n] = np.frombuffer(batch.term_counts, dtype="<u4")
                sig, term = sig + len(signed), term + t
            row, key = row + n, key + k
        if (row, key, sig, term) != (size.rows, size.keys, size.sigs, size.terms):
            raise ValueError(f"history batches hold {(row, key, sig, term)} rows, keys, signatures and terms; "
                             f"expected {size}")
        return cls(
            entry_ids=entry_ids, source_keys=source_keys, keys=keys, key_rows=key_rows, key_is_url=key_is_url,
            sizes=sizes, sig_rows=sig_rows, sig_cols=sig_cols, terms=terms,
            term_offsets=np.concatenate([[0], np.cumsum(term_counts)]).astype(np.int64), details=details,
        )

    def __len__(self) -> int:
        return len(self.entry_ids)

    def row_terms(self, row: int) -> postings.Terms:
        return tuple(self.terms[self.term_offsets[row] : self.term_offsets[row + 1]].tolist())

    def describe(self, rows: Sequence[int]) -> dict[int, SentRef]:
        """SentRefs of matched rows, by row (read from the state file on demand)."""
        wanted = {int(self.entry_ids[row]): row for row in rows}
        found = self.details(list(wanted))
        return {wanted[entry]: ref for entry, ref in found.items() if entry in wanted}

    # ------------------------------------------------------------------ exact keys

    def match_keys(self, keys: Sequence[Sequence[tuple[bool, int]]]) -> dict[int, HistoryMatch]:
        """For each position whose (is_url, key hash) pairs include a stored key: the very item was sent.

        A position's keys are tried in order; the first one stored (as a key of the same kind)
        matches, with the earliest stored row that has it.
        """
        found: dict[int, HistoryMatch] = {}
        counts = [len(ks) for ks in keys]
        probe = np.fromiter((k for ks in keys for _, k in ks), dtype=np.int64, count=sum(counts))
        if len(self.keys) == 0 or len(probe) == 0:
            return found
        wanted = minhash.unique_sorted(probe)
        # the few stored keys some position has: a table of the probes' low 24 bits rules out most
        # stored keys with one lookup each, a binary search settles the rest
        present = np.zeros(1 << 24, dtype=np.bool_)
        present[wanted & 0xFF_FFFF] = True
        maybe = np.flatnonzero(present[self.keys & 0xFF_FFFF])
        at = np.minimum(np.searchsorted(wanted, self.keys[maybe]), len(wanted) - 1)
        stored = maybe[wanted[at] == self.keys[maybe]]
        if len(stored) == 0:
            return found
        first: dict[tuple[int, bool], int] = {}
        for key, row, is_url in zip(self.keys[stored].tolist(), self.key_rows[stored].tolist(),
                                    self.key_is_url[stored].tolist(), strict=True):
            if first.get((key, is_url), row) >= row:
                first[(key, is_url)] = row
        known = minhash.unique_sorted(self.keys[stored])
        at = np.minimum(np.searchsorted(known, probe), len(known) - 1)
        owner = np.repeat(np.arange(len(keys)), counts)
        for position in np.unique(owner[known[at] == probe]).tolist():
            for is_url, key in keys[position]:
                row = first.get((key, is_url))
                if row is not None:
                    found[position] = HistoryMatch(row, "same-url" if is_url else "same-id", 1.0)
                    break
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
        if len(members) == 0 or len(self.sig_rows) == 0:
            return found
        window = np.ascontiguousarray(minhash.bbit(fp.sigs[members]).T)  # minimum-major, like sig_cols
        pairs = minhash.history_pairs(window, self.sig_cols)  # (window index, signature column)
        if len(pairs) == 0:
            return found
        jaccard = minhash.estimate(window[:, pairs[:, 0]].T, self.sig_cols[:, pairs[:, 1]].T)
        rows = self.sig_rows[pairs[:, 1]]
        a = np.diff(fp.offsets)[members][pairs[:, 0]].astype(np.float64)
        b = self.sizes[rows].astype(np.float64)
        contained = np.minimum(1.0, jaccard * (a + b) / (1.0 + jaccard) / np.minimum(a, b))
        keep = np.flatnonzero(contained >= threshold)
        for w, row, score in zip(pairs[keep, 0].tolist(), rows[keep].tolist(), contained[keep].tolist(), strict=True):
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
            pairs = index.candidates(*fp.titles.arrays(group))
            for m, row in pairs.tolist():
                score = titles.similarity(fp.titles[m], self.row_terms(row), weights[m] if weights else None)
                if score >= threshold and (m not in found or score > found[m].similarity):
                    found[m] = HistoryMatch(row, "title", score)
        return found

    def _title_index(self, threshold: float, only_headlines: bool) -> postings.TitleIndex:
        """The index of stored titles (all, or headline-only rows); not kept, as it is as large as they are."""
        if not only_headlines:
            return postings.TitleIndex(self.terms, self.term_offsets, threshold)
        counts = np.where(self.sizes == 0, np.diff(self.term_offsets), 0)
        kept = minhash.ranges(self.term_offsets[:-1], counts)
        return postings.TitleIndex(self.terms[kept], np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), threshold)

