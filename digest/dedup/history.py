"""What earlier digests carried, as flat arrays that a whole window is matched against at once.

digest.state.history stores one `Batch` per digest (its rows' keys and terms as little-endian
arrays) and loads a fortnight of them in a few reads; this module only encodes and matches.
A stored row is what `match.features` makes of a sent item (or of an `also` copy: its URL and
title), so the window and history are compared by the very same definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from ..config import DedupSettings
from ..models import Item
from .keys import key_hash, keys, url_key
from .match import MIN_SHARED_LEAD, Features, Weights, _at_least, compare, features, from_title, sampled
from .terms import hashes

I64 = npt.NDArray[np.int64]
U32 = npt.NDArray[np.uint32]
_URL_BIT = 1 << 31  # in Batch.key_rows: the key is a URL's (else an id's)
CANDIDATE_CAP = 64  # terms on more rows than this are too common to find a story by


@dataclass(frozen=True)
class SentRef:
    """An item of an earlier digest, as explain shows it."""

    title: str
    url: str
    source: str
    sent_at: datetime


@dataclass(frozen=True)
class HistoryMatch:
    row: int
    rule: str  # "same-url", "same-id", "text" or "title"
    similarity: float
    threshold: float


@dataclass(frozen=True)
class Batch:
    """One digest's rows as the state file stores them, in columns."""

    source_keys: bytes  # int64 per row
    keys: bytes  # int64 exact-key hashes of all rows ...
    key_rows: bytes  # ... uint32 per key: its row, with _URL_BIT set for a URL key
    titles: bytes  # uint32 title terms of all rows end to end ...
    title_counts: bytes  # ... uint32 per row: how many are its
    leads: bytes  # the same for lead terms
    lead_counts: bytes


def encode(rows: Sequence[tuple[Features, Sequence[tuple[bool, int]]]]) -> Batch:
    """A digest's rows (features and (is_url, key) pairs) in their stored form."""
    key_rows = [r | (_URL_BIT if is_url else 0) for r, (_, ks) in enumerate(rows) for is_url, _ in ks]
    return Batch(
        source_keys=np.asarray([f.source for f, _ in rows], dtype="<i8").tobytes(),
        keys=np.asarray([k for _, ks in rows for _, k in ks], dtype="<i8").tobytes(),
        key_rows=np.asarray(key_rows, dtype="<u4").tobytes(),
        titles=np.asarray([t for f, _ in rows for t in f.title], dtype="<u4").tobytes(),
        title_counts=np.asarray([len(f.title) for f, _ in rows], dtype="<u4").tobytes(),
        leads=np.asarray([t for f, _ in rows for t in f.lead], dtype="<u4").tobytes(),
        lead_counts=np.asarray([len(f.lead) for f, _ in rows], dtype="<u4").tobytes(),
    )


def encode_items(items: Sequence[Item]) -> Batch:
    """A digest's items, then their `also` copies in order, as stored; a copy is its URL and its title."""
    rows: list[tuple[Features, Sequence[tuple[bool, int]]]] = [(features(item), keys(item)) for item in items]
    # a copy's text was the representative's, so only its URL and title are its own
    rows += [(Features(hashes(r.title), (), key_hash("source", r.source), None), [(True, k) for k in url_key(r.url)])
             for item in items for r in item.also]
    return encode(rows)


def encode_titles(rows: Sequence[tuple[str, int, Sequence[tuple[bool, int]]]]) -> Batch:
    """Rows an older state file kept as (title, source key, exact keys), with title terms made anew."""
    return encode([(Features(hashes(title), (), source, None), ks) for title, source, ks in rows])


def _no_details(entries: Sequence[int]) -> Mapping[int, SentRef]:
    return {}


def _offsets(counts: list[npt.NDArray[np.uint32]]) -> I64:
    joined = np.concatenate(counts).astype(np.int64) if counts else np.zeros(0, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(joined)]).astype(np.int64)


@dataclass(frozen=True, eq=False)
class History:
    """Rows of items already sent, ready to be matched against a window.

    `entry_ids` are the state file's row ids, which `details` turns into SentRefs for the few
    rows a window matched (a fortnight of titles and URLs is never loaded).
    """

    entry_ids: I64
    sent_at: npt.NDArray[np.float64]
    source_keys: I64
    keys: I64  # sorted ...
    key_rows: I64  # ... with the row of each ...
    key_is_url: npt.NDArray[np.bool_]  # ... and whether it is a URL key
    titles: U32
    title_offsets: I64
    leads: U32
    lead_offsets: I64
    details: Callable[[Sequence[int]], Mapping[int, SentRef]] = field(default=_no_details, compare=False)

    @classmethod
    def empty(cls) -> History:
        return cls.from_batches([])

    @classmethod
    def from_batches(cls, batches: Iterable[tuple[I64, float, Batch]],
                     details: Callable[[Sequence[int]], Mapping[int, SentRef]] = _no_details) -> History:
        """One History of stored digests, given as (entry ids, sent_at, batch)."""
        ids, sent, sources, keys, key_rows, is_url, titles, title_counts, leads, lead_counts = ([] for _ in range(10))
        rows = 0
        for entry_ids, sent_at, batch in batches:
            raw = np.frombuffer(batch.key_rows, dtype="<u4")
            ids.append(entry_ids)
            sent.append(np.full(len(entry_ids), sent_at))
            sources.append(np.frombuffer(batch.source_keys, dtype="<i8"))
            keys.append(np.frombuffer(batch.keys, dtype="<i8"))
            key_rows.append(rows + (raw & np.uint32(~_URL_BIT & 0xFFFF_FFFF)).astype(np.int64))
            is_url.append((raw & np.uint32(_URL_BIT)) != 0)
            titles.append(np.frombuffer(batch.titles, dtype="<u4"))
            title_counts.append(np.frombuffer(batch.title_counts, dtype="<u4"))
            leads.append(np.frombuffer(batch.leads, dtype="<u4"))
            lead_counts.append(np.frombuffer(batch.lead_counts, dtype="<u4"))
            rows += len(entry_ids)

        def cat(parts: list[npt.NDArray[Any]], dtype: type) -> npt.NDArray[Any]:
            return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)

        all_keys = cat(keys, np.int64)
        order = np.argsort(all_keys, kind="stable")
        return cls(
            entry_ids=cat(ids, np.int64), sent_at=cat(sent, np.float64), source_keys=cat(sources, np.int64),
            keys=all_keys[order], key_rows=cat(key_rows, np.int64)[order], key_is_url=cat(is_url, np.bool_)[order],
            titles=cat(titles, np.uint32), title_offsets=_offsets(title_counts),
            leads=cat(leads, np.uint32), lead_offsets=_offsets(lead_counts), details=details,
        )

    def __len__(self) -> int:
        return len(self.entry_ids)

    def features(self, row: int, title: str | None = None) -> Features:
        """A stored row's features; with its title (`describe`), its event words, its terms as written (terms.written:
        numerals as digits) and its function-word pairs are made anew from it: its stored terms stay as stored."""
        t0, t1 = self.title_offsets[row], self.title_offsets[row + 1]
        l0, l1 = self.lead_offsets[row], self.lead_offsets[row + 1]
        terms = tuple(self.titles[t0:t1].tolist())
        words, as_written, pairs = from_title(title, terms)
        return Features(title=terms, lead=tuple(self.leads[l0:l1].tolist()), source=int(self.source_keys[row]),
                        published=None, event_terms=words, written=as_written, joins=pairs)

    def describe(self, rows: Sequence[int]) -> dict[int, SentRef]:
        """SentRefs of matched rows, by row (read from the state file on demand)."""
        wanted = {int(self.entry_ids[row]): row for row in rows}
        found = self.details(list(wanted))
        return {wanted[entry]: ref for entry, ref in found.items() if entry in wanted}

    def match_keys(self, keys: Sequence[Sequence[tuple[bool, int]]]) -> dict[int, HistoryMatch]:
        """Positions one of whose (is_url, key) pairs is stored as a key of the same kind (the first such key)."""
        found: dict[int, HistoryMatch] = {}
        counts = [len(ks) for ks in keys]
        probe = np.fromiter((k for ks in keys for _, k in ks), dtype=np.int64, count=sum(counts))
        if len(self.keys) == 0 or len(probe) == 0:
            return found
        at = np.searchsorted(self.keys, probe)
        hit = np.flatnonzero(self.keys[np.minimum(at, len(self.keys) - 1)] == probe)
        owner = np.repeat(np.arange(len(keys)), counts)
        kinds = [is_url for ks in keys for is_url, _ in ks]
        for k in hit.tolist():  # few: the window's keys that some digest already carried
            position = int(owner[k])
            j = int(at[k])
            while position not in found and j < len(self.keys) and self.keys[j] == probe[k]:
                if bool(self.key_is_url[j]) == kinds[k]:
                    found[position] = HistoryMatch(int(self.key_rows[j]), "same-url" if kinds[k] else "same-id",
                                                   1.0, 1.0)
                j += 1
        return found

    def title_df(self, terms: U32) -> I64:
        """How many stored rows carry each term (for the run's term weights)."""
        if len(self.titles) == 0:
            return np.zeros(len(terms), dtype=np.int64)
        ordered, _ = self._postings(0)
        order = np.argsort(terms)
        found = np.empty(len(terms), dtype=np.int64)
        found[order] = np.searchsorted(ordered, terms[order], side="right") - np.searchsorted(ordered, terms[order])
        return found

    def match_stories(self, window: Sequence[Features], positions: Sequence[int], weights: Weights,
                      settings: DedupSettings) -> dict[int, HistoryMatch]:
        """For window `positions`: the best stored row that `compare` calls the same story."""
        found: dict[int, HistoryMatch] = {}
        if len(self) == 0 or not positions:
            return found
        candidates = self._candidates(window, positions)
        # a Chinese title is compared by its words' events, made from the stored title (read for these rows only)
        refs = self.describe(sorted({row for pos, row in candidates if window[pos].zh}))
        stored: dict[int, Features] = {}  # each row's features once, however many window items it is compared with
        for pos, row in candidates:
            if row not in stored:
                ref = refs.get(row)
                stored[row] = self.features(row, ref.title if ref else None)
            verdict = compare(window[pos], stored[row], weights, settings,
                              b_sent=datetime.fromtimestamp(float(self.sent_at[row]), UTC))
            if verdict.same and (pos not in found or verdict.score > found[pos].similarity):
                found[pos] = HistoryMatch(row, verdict.rule, verdict.score, verdict.threshold)
        return found

    def _candidates(self, window: Sequence[Features], positions: Sequence[int]) -> list[tuple[int, int]]:
        """(position, row) pairs worth comparing, by the rule of match.candidate_pairs: two shared title
        terms, or MIN_SHARED_LEAD lead pairs, of those on at most CANDIDATE_CAP stored rows."""
        found: set[tuple[int, int]] = set()
        for kind, least in ((0, 2), (1, MIN_SHARED_LEAD)):
            stored_terms, stored_rows = self._postings(kind)
            probe_terms: list[int] = []
            probe_owner: list[int] = []
            for pos in positions:
                terms = sampled(window[pos].lead) if kind else window[pos].title
                probe_terms.extend(terms)
                probe_owner.extend([pos] * len(terms))
            probe = np.asarray(probe_terms, dtype=np.uint32)
            order = np.argsort(probe)  # sorted probes search a large array ten times faster (cache)
            probe, owner = probe[order], np.asarray(probe_owner, dtype=np.int64)[order]
            lo = np.searchsorted(stored_terms, probe)
            hi = np.searchsorted(stored_terms, probe, side="right")
            keep = (hi > lo) & (hi - lo <= CANDIDATE_CAP)
            lo, hi, owner = lo[keep], hi[keep], owner[keep]
            lengths = hi - lo
            if lengths.sum() == 0:
                continue
            index = np.repeat(lo - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths) \
                + np.arange(int(lengths.sum()))
            chosen = _at_least((np.repeat(owner, lengths) << 32) | stored_rows[index], least)
            found.update(zip((chosen >> 32).tolist(), (chosen & 0xFFFF_FFFF).tolist(), strict=True))
        return sorted(found)

    def _postings(self, kind: int) -> tuple[U32, I64]:
        """(term, row) of every stored title term (kind 0) or lead pair (kind 1), once each, sorted (built once)."""
        cache: dict[int, tuple[U32, I64]] = self.__dict__.setdefault("_postings_cache", {})
        if kind not in cache:
            values, offsets = (self.leads, self.lead_offsets) if kind else (self.titles, self.title_offsets)
            owner = np.repeat(np.arange(len(self), dtype=np.int64), np.diff(offsets))
            if kind:  # the sampled lead pairs only, as match.sampled picks them
                even = (values & 1) == 0
                values, owner = values[even], owner[even]
            packed = np.sort((values.astype(np.int64) << 32) | owner)  # a row repeats only a number: harmless
            cache[kind] = ((packed >> 32).astype(np.uint32), packed & 0xFFFF_FFFF)
        return cache[kind]
