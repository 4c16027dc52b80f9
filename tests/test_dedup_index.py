"""The bulk matching machinery finds exactly what the plain definitions find, only faster.

Candidate generation (LSH banding, prefix-filtered title joins, term-mask bounds) may only
ever throw out pairs that cannot match; these tests compare each step with brute force on
random inputs made to collide often.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pytest

from digest.dedup import exact, minhash, postings
from digest.dedup.fingerprint import fingerprint
from digest.dedup.history import History, encode
from digest.models import Item


def item(title: str, text: str) -> Item:
    return Item(id=title, url="https://example.com/" + title, title=title, source="s", section="s",
                published=datetime(2024, 6, 5, tzinfo=UTC), dated=True, language="en", text=text)


def vocabulary(rng: np.random.Generator, size: int) -> npt.NDArray[np.int64]:
    """Term hashes whose low six bits (the bit a term sets in a title's mask) take only eight values."""
    return rng.integers(0, 1 << 26, size, dtype=np.int64) << 6 | rng.integers(0, 8, size)


def random_titles(rng: np.random.Generator, n: int, words: npt.NDArray[np.int64]) -> list[tuple[int, ...]]:
    """Titles of 1-12 terms, common terms more often, with the odd repeated term."""
    out = []
    for _ in range(n):
        picks = rng.zipf(1.3, int(rng.integers(1, 13))) % len(words)
        out.append(tuple(int(words[p]) for p in picks))
    return out


def brute_force(probes: list[tuple[int, ...]], indexed: list[tuple[int, ...]], threshold: float) -> set[tuple[int, int]]:
    found = set()
    for (p, a), (r, b) in itertools.product(enumerate(probes), enumerate(indexed)):
        shared = len(set(a) & set(b))
        if shared >= max(postings.MIN_TERMS, math.ceil(threshold * min(len(set(a)), len(set(b))) - 1e-9)):
            found.add((p, r))
    return found


@pytest.mark.parametrize(("seed", "threshold", "size"), [(1, 0.75, 40), (2, 0.5, 25), (3, 0.9, 60), (4, 0.75, 12)])
def test_title_candidates_are_every_pair_with_enough_shared_terms(seed: int, threshold: float, size: int) -> None:
    rng = np.random.default_rng(seed)
    words = vocabulary(rng, size)
    indexed = random_titles(rng, 300, words)
    probes = random_titles(rng, 120, words)
    index = postings.TitleIndex.of(indexed, threshold)
    pairs = index.candidates(*postings.flatten(probes, range(len(probes))))
    expected = brute_force(probes, indexed, threshold)
    assert len(expected) > 100
    assert {tuple(p) for p in pairs.tolist()} == expected
    assert pairs.tolist() == sorted(pairs.tolist())  # (probe, row) order: the earliest row wins ties


def test_popcount() -> None:
    values = np.array([0, 1, 0xFFFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0001], dtype=np.uint64)
    assert postings.popcount(values).tolist() == [0, 1, 64, 2]


def coarse_signatures(rng: np.random.Generator, n: int, values: int) -> minhash.U32:
    """Signatures whose minima take few values, so that bands collide at every distance."""
    return rng.integers(0, values, (n, minhash.NUM_PERM), dtype=np.int64).astype(np.uint32)


@pytest.mark.parametrize(("seed", "values"), [(5, 3), (6, 2), (7, 8)])
def test_window_pairs_are_every_pair_sharing_a_band(seed: int, values: int) -> None:
    rng = np.random.default_rng(seed)
    sigs = coarse_signatures(rng, 60, values)
    members = np.sort(rng.choice(80, 40, replace=False)).astype(np.int64)
    members = members[members < 60]
    expected = set()
    for i, j in itertools.combinations(members.tolist(), 2):
        bands_i, bands_j = sigs[i].reshape(-1, minhash.WINDOW_ROWS), sigs[j].reshape(-1, minhash.WINDOW_ROWS)
        if (bands_i == bands_j).all(axis=1).any():
            expected.add((i, j))
    assert {tuple(p) for p in minhash.window_pairs(sigs, members).tolist()} == expected


@pytest.mark.parametrize(("seed", "values"), [(8, 2), (9, 3), (10, 256)])
def test_history_pairs_are_every_pair_sharing_a_band(seed: int, values: int) -> None:
    rng = np.random.default_rng(seed)
    window = rng.integers(0, values, (minhash.NUM_PERM, 50), dtype=np.int64).astype(np.uint8)
    stored = rng.integers(0, values, (minhash.NUM_PERM, 70), dtype=np.int64).astype(np.uint8)
    if values == 256:  # a few planted copies among unrelated signatures
        stored[:, :5] = window[:, 10:15]
    rows = minhash.HISTORY_BANDS * minhash.HISTORY_ROWS
    expected = {
        (w, s) for w in range(50) for s in range(70)
        if (window[:rows, w].reshape(-1, minhash.HISTORY_ROWS) == stored[:rows, s].reshape(-1, minhash.HISTORY_ROWS))
        .all(axis=1).any()
    }
    assert {tuple(p) for p in minhash.history_pairs(window, stored).tolist()} == expected


def test_bulk_containment_equals_the_pairwise_one() -> None:
    rng = np.random.default_rng(11)
    words = [f"w{k}" for k in range(30)]
    items = [item(f"t{k}", " ".join(rng.choice(words, int(rng.integers(0, 60))))) for k in range(40)]
    fp = fingerprint(items)
    pairs = np.array(list(itertools.combinations(range(40), 2)), dtype=np.int64)
    assert fp.containments(pairs) == [fp.containment(i, j) for i, j in pairs.tolist()]


def stored_row(sent: Item) -> History:
    fp = fingerprint([sent])
    return History.from_batches([(np.array([7]), 1, encode(
        source_keys=[0], url_keys=[[11, 12]], id_keys=[[13]], sigs=[minhash.bbit(fp.sigs)[0].tobytes()],
        sizes=[fp.size(0)], terms=[fp.titles[0]]))])


@pytest.mark.parametrize(
    ("probes", "expected"),
    [
        ([[(True, 12)], [(False, 12)], [(False, 13), (True, 11)]], {0: (0, "same-url"), 2: (0, "same-id")}),
        ([[(True, 99)], []], {}),
    ],
)
def test_exact_keys_match_by_kind(probes: list[list[tuple[bool, int]]], expected: dict[int, tuple[int, str]]) -> None:
    """A URL key never matches an id key of the same value; a position's first stored key decides."""
    history = stored_row(item("Some title here", "some text " * 30))
    found = history.match_keys(probes)
    assert {p: (m.row, m.rule) for p, m in found.items()} == expected


def test_the_earliest_stored_row_matches() -> None:
    batch = encode(source_keys=[0, 0], url_keys=[[5], [5]], id_keys=[[], []], sigs=[None, None], sizes=[0, 0],
                   terms=[[], []])
    history = History.from_batches([(np.array([1, 2]), 1, batch), (np.array([3, 4]), 1, batch)])
    assert history.match_keys([[(True, 5)]])[0].row == 0
    assert history.key_rows.tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("url", "id", "title"),
    [
        ("https://a.example/1", "https://a.example/1", "Same URL and id"),
        ("https://a.example/1", "guid-1", "An id that is not the URL: Title, with punctuation!"),
        ("https://a.example/", "guid-2", "Front page link"),
        ("https://a.example", "", "Front page, no slash"),
        ("", "guid-3", "No URL at all"),
        ("https://a.example/2", "guid-4", "ChatGPT、Claude同时“罢工”"),
        ("https://a.example/3", "guid-5", "Odd\0title with a NUL"),
        ("https://a.example/4", "guid-6", ""),
    ],
)
def test_bulk_keys_equal_the_per_item_ones(url: str, id: str, title: str) -> None:
    items = [Item(id=id, url=url, title=title, source="s", section="s", published=datetime(2024, 6, 5, tzinfo=UTC),
                  dated=True, language="en", text=""), item("Plain ASCII title", "")]
    assert exact.all_keys(items) == [exact.keys(i) for i in items]
