"""One story, one entry: exact merging, history drops and near-duplicate clustering of a window.

Clusters are stars, not chains: every merged item was compared with its representative
itself, so "A is like B and B is like C" never puts A and C together, and each decision
names the one item it was measured against.  Representatives are chosen first (most text,
then the earliest), and each takes the still-unassigned items that match it.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import overload

import numpy as np

from ..config import DedupSettings
from ..models import AlsoRef, Item
from . import exact, minhash, titles
from .fingerprint import Fingerprints, fingerprint
from .history import History, HistoryMatch, SentRef, key_hash
from .result import Decision, DedupResult, Rule

_ESTIMATE_MARGIN = 0.2  # candidates this far below the threshold by MinHash estimate are not checked exactly


def _priority(item: Item) -> tuple[int, float, int, str]:
    """Sort key of the representative rule: the most text, then the earliest."""
    return (-len(item.text), item.published.timestamp(), item.source_index, item.id)


def deduplicate(items: Sequence[Item], *, settings: DedupSettings, history: History) -> DedupResult:
    """Merge copies of one story into its representative's `also` and drop what history already sent."""
    with _collector_paused():
        return _deduplicate(list(items), settings, history)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Dedup makes a few hundred thousand small objects (keys, tuples, index lists) and no cycles
    among them; each allocation burst would trigger a full collection that walks every object of
    the run (the window's Items included): 14 % of dedup's time for 50,000 items, for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _deduplicate(items: list[Item], settings: DedupSettings, history: History) -> DedupResult:
    order = sorted(range(len(items)), key=[_priority(item) for item in items].__getitem__)
    keys = exact.all_keys(items)
    leader, decisions = _exact_groups(items, keys, order)
    leaders = [i for i in order if leader[i] == i]
    members: dict[int, list[int]] = {}  # leader -> the other items of its exact group (most have none)
    for i in order:
        if leader[i] != i:
            members.setdefault(leader[i], []).append(i)

    fp = fingerprint([items[i] for i in leaders])
    sources = [items[i].source for i in leaders]
    weights = titles.source_weights(fp.titles, sources)
    dropped = _history_drops(keys, leaders, members, fp, weights, sources, settings, history)
    dropped_items = {m for pos in dropped for m in [leaders[pos], *members.get(leaders[pos], ())]}
    decisions = {i: d for i, d in decisions.items() if i not in dropped_items}
    for pos, (match, ref) in dropped.items():
        threshold = {"text": settings.text_threshold, "title": settings.title_threshold}.get(match.rule, 1.0)
        for m in [leaders[pos], *members.get(leaders[pos], ())]:
            decisions[m] = Decision(
                item=items[m], rule="history", similarity=match.similarity, threshold=threshold,
                other_title=ref.title if ref else "", other_url=ref.url if ref else "",
                other_source=ref.source if ref else "", matched_by=match.rule, sent_at=ref.sent_at if ref else None,
            )

    alive = [pos for pos in range(len(leaders)) if pos not in dropped]
    edges = _near_pairs(fp, weights, sources, alive, settings)
    absorbed: dict[int, list[tuple[int, float]]] = {}  # representative pos -> [(pos, similarity)]
    assigned: set[int] = set()
    for pos in alive:  # `leaders` is in priority order, so representatives come first
        if pos in assigned:
            continue
        assigned.add(pos)
        absorbed[pos] = []
        neighbours = edges.get(pos)
        if not neighbours:
            continue
        for other, (rule, score) in sorted(neighbours.items(), key=lambda e: (-e[1][1], e[0])):
            if other in assigned:
                continue
            assigned.add(other)
            absorbed[pos].append((other, score))
            rep, item = items[leaders[pos]], items[leaders[other]]
            threshold = settings.text_threshold if rule == "text" else settings.title_threshold
            decisions[leaders[other]] = Decision(
                item=item, rule=rule, similarity=score, threshold=threshold,
                other_title=rep.title, other_url=rep.url, other_source=rep.source,
            )

    result: list[Item] = []
    for pos in sorted(absorbed, key=leaders.__getitem__):  # representatives in input order
        i = leaders[pos]
        if i not in members and not absorbed[pos] and not items[i].also:
            result.append(items[i])  # a story of one item (most)
            continue
        refs: list[AlsoRef] = [ref for m in members.get(i, ()) for ref in (_ref(items[m], 1.0), *items[m].also)]
        for other, score in absorbed[pos]:
            j = leaders[other]
            refs.extend(ref for m in [j, *members.get(j, ())] for ref in (_ref(items[m], score), *items[m].also))
        result.append(_with_also(items[i], refs))
    merged = len(items) - len(result) - len(dropped_items)
    ordered = sorted(decisions.items(), key=lambda d: d[0])
    return DedupResult(items=result, decisions=[d for _, d in ordered], duplicates=merged,
                       dropped_history=len(dropped_items))


def _exact_groups(
    items: list[Item], keys: list[list[tuple[str, str]]], order: list[int]
) -> tuple[list[int], dict[int, Decision]]:
    """Group items that share a URL or id+title key; each group's first item in `order` leads it."""
    leader = list(range(len(items)))
    owners: dict[str, dict[str, int]] = {"same-url": {}, "same-id": {}}
    decisions: dict[int, Decision] = {}
    for i in order:
        for rule, key in keys[i]:
            owner = owners[rule]
            j = owner.setdefault(key, i)
            if j != i:
                leader[i] = leader[j]
                other = items[j]
                decisions[i] = Decision(
                    item=items[i], rule="same-url" if rule == "same-url" else "same-id", similarity=1.0,
                    threshold=1.0, other_title=other.title, other_url=other.url, other_source=other.source,
                )
                for later_rule, later_key in keys[i][keys[i].index((rule, key)) + 1 :]:
                    owners[later_rule].setdefault(later_key, i)
                break
    return leader, decisions


def _history_drops(
    keys: list[list[tuple[str, str]]], leaders: list[int], members: dict[int, list[int]], fp: Fingerprints,
    weights: titles.SourceTemplates, sources: list[str], settings: DedupSettings, history: History,
) -> dict[int, tuple[HistoryMatch, SentRef | None]]:
    """Leader positions whose story an earlier digest carried, with what matched."""
    if len(history) == 0:
        return {}
    matches = history.match_keys([exact.hashes(keys[i]) if i not in members
                                  else [h for m in [i, *members[i]] for h in exact.hashes(keys[m])] for i in leaders])
    open_ = np.ones(len(leaders), dtype=np.bool_)
    open_[list(matches)] = False
    rest = np.flatnonzero(open_ & fp.has_body)
    by_name = {name: key_hash("source", name) for name in set(sources)}
    source_keys = [by_name[source] for source in sources]
    for pos, match in history.match_text(fp, rest, settings.text_threshold, source_keys).items():
        matches[pos] = match
    open_[list(matches)] = False
    rest_titles = np.flatnonzero(open_).tolist()
    for pos, match in history.match_titles(fp, rest_titles, settings.title_threshold, weights).items():
        matches[pos] = match
    refs = history.describe(sorted({m.row for m in matches.values()}))
    return {pos: (match, refs.get(match.row)) for pos, match in matches.items()}


def _near_pairs(
    fp: Fingerprints, weights: titles.SourceTemplates, sources: list[str], alive: list[int],
    settings: DedupSettings,
) -> dict[int, dict[int, tuple[Rule, float]]]:
    """Verified near-duplicate edges between live leader positions, both directions."""
    edges: dict[int, dict[int, tuple[Rule, float]]] = {}

    def add(a: int, b: int, rule: Rule, score: float) -> None:
        for x, y in ((a, b), (b, a)):
            current = edges.setdefault(x, {}).get(y)
            if current is None or (current[0] == "title" and rule == "text"):
                edges[x][y] = (rule, score)

    with_body = np.array([p for p in alive if fp.has_body[p]], dtype=np.int64)
    pairs = minhash.window_pairs(fp.sigs, with_body)
    if len(pairs):
        # the MinHash estimate throws out most candidates before the exact check
        sizes = np.diff(fp.offsets).astype(np.float64)
        jaccard = (fp.sigs[pairs[:, 0]] == fp.sigs[pairs[:, 1]]).mean(axis=1)
        a, b = sizes[pairs[:, 0]], sizes[pairs[:, 1]]
        estimate = jaccard * (a + b) / (1.0 + jaccard) / np.minimum(a, b)
        pairs = pairs[estimate >= settings.text_threshold - _ESTIMATE_MARGIN]
        for (x, y), score in zip(pairs.tolist(), fp.containments(pairs), strict=True):
            if score < settings.text_threshold or not titles.numbers_agree(fp.titles[x], fp.titles[y]):
                continue
            if sources[x] == sources[y] and titles.similarity(fp.titles[x], fp.titles[y]) < titles.SAME_SOURCE_TITLE:
                continue  # one source's boilerplate description, not one story
            add(x, y, "text", score)
    headline_only = [not bool(fp.has_body[p]) for p in alive]
    for x, y, score in titles.candidate_pairs(
        fp.titles.subset(alive), headline_only, settings.title_threshold,
        _Subset(weights, alive), [sources[p] for p in alive],
    ):
        add(alive[x], alive[y], "title", score)
    return edges


class _Subset(Sequence[titles.Weights]):
    """The weights of some positions only, looked up when asked for."""

    def __init__(self, weights: titles.SourceTemplates, positions: list[int]) -> None:
        self.weights = weights
        self.positions = positions

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, i: int) -> titles.Weights: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[titles.Weights]: ...
    def __getitem__(self, i: int | slice) -> titles.Weights | Sequence[titles.Weights]:
        if isinstance(i, slice):
            return [self.weights[p] for p in self.positions[i]]
        return self.weights[self.positions[i]]


def _ref(item: Item, similarity: float) -> AlsoRef:
    return AlsoRef(title=item.title, url=item.url, source=item.source, similarity=round(similarity, 3))


def _with_also(item: Item, refs: list[AlsoRef]) -> Item:
    """The representative with its copies listed once each, after any it already carried."""
    if not refs and not item.also:
        return item
    seen = {(item.url, item.source)}
    also: list[AlsoRef] = []
    for ref in [*item.also, *refs]:
        if (ref.url, ref.source) in seen:
            continue
        seen.add((ref.url, ref.source))
        also.append(ref)
    return dataclasses.replace(item, also=tuple(also)) if also or item.also else item
