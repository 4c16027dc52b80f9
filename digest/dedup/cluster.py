"""One story, one entry: exact merging, history drops and story clustering of a window.

Clusters are stars, not chains: every merged item was compared with its representative
itself, so "A is like B and B is like C" never puts A and C together, and each decision
names the one item it was measured against.  Representatives are chosen first (most text,
then the earliest), and each takes the still-unassigned items that match it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ..config import DedupSettings
from ..models import AlsoRef, Item
from . import keys as exact
from .history import History
from .match import Features, Verdict, Weights, candidate_pairs, compare, features
from .result import Decision, DedupResult

WINDOW_CAP = 64  # a term on more items of the window than this finds no story


def _priority(item: Item) -> tuple[int, float, int, str]:
    """Sort key of the representative rule: the most text, then the earliest."""
    return (-len(item.text), item.published.timestamp(), item.source_index, item.id)


def deduplicate(items: Sequence[Item], *, settings: DedupSettings, history: History) -> DedupResult:
    """Merge copies of one story into its representative's `also` and drop what history already sent."""
    items = list(items)
    order = sorted(range(len(items)), key=[_priority(item) for item in items].__getitem__)
    item_keys = [exact.matching_keys(item) for item in items]
    leader, decisions = _exact_groups(items, item_keys, order)
    leaders = [i for i in order if leader[i] == i]
    members: dict[int, list[int]] = {}
    for i in order:
        if leader[i] != i:
            members.setdefault(leader[i], []).append(i)

    feats = [features(items[i]) for i in leaders]
    weights = Weights((f.terms for f in feats), (f.source for f in feats))
    if len(history):
        window_terms = np.fromiter(weights.df, dtype=np.uint32, count=len(weights.df))
        weights.add_stored(dict(zip(window_terms.tolist(), history.title_df(window_terms).tolist(), strict=True)),
                           len(history))

    dropped = _history_drops(items, item_keys, leaders, members, feats, weights, settings, history, decisions)
    alive = [pos for pos in range(len(leaders)) if pos not in dropped]
    edges = _story_pairs(feats, alive, weights, settings)
    absorbed: dict[int, list[tuple[int, float]]] = {}
    assigned: set[int] = set()
    near: dict[int, tuple[int, Verdict]] = {}
    best = {pos: max((o for o, v in es.items() if v.same), key=lambda o: _strength(es[o], o), default=pos)
            for pos, es in edges.items()}
    for pos in alive:  # `leaders` is in priority order, so representatives come first
        if pos in assigned:
            continue
        assigned.add(pos)
        absorbed[pos] = []
        mine = edges.get(pos, {})
        for other, verdict in sorted(mine.items(), key=lambda e: _strength(e[1], e[0]), reverse=True):
            if other in assigned:
                continue
            if not verdict.same:
                near.setdefault(other, (pos, verdict))
                continue
            twin = best[other]
            if twin != pos and twin not in assigned and not (twin in mine and mine[twin].same):
                continue  # it is more like an item this story does not take, which may take it
            assigned.add(other)
            absorbed[pos].append((other, verdict.score))
            decisions[leaders[other]] = _decision(items[leaders[other]], items[leaders[pos]], verdict)
    near_misses = [_decision(items[leaders[o]], items[leaders[p]], v) for o, (p, v) in near.items()
                   if o in absorbed and not absorbed[o]]

    result: list[Item] = []
    for pos in sorted(absorbed, key=leaders.__getitem__):  # representatives in input order
        i = leaders[pos]
        copies = [(m, 1.0) for m in members.get(i, ())]
        for other, score in absorbed[pos]:
            copies.extend((m, score) for m in [leaders[other], *members.get(leaders[other], ())])
        refs = [ref for m, score in copies for ref in (_ref(items[m], score), *items[m].also)]
        result.append(_with_also(items[i], refs))
    dropped_items = {m for pos in dropped for m in [leaders[pos], *members.get(leaders[pos], ())]}
    return DedupResult(items=result, decisions=[d for _, d in sorted(decisions.items())],
                       duplicates=len(items) - len(result) - len(dropped_items), dropped_history=len(dropped_items),
                       near_misses=near_misses)


def _strength(verdict: Verdict, other: int) -> tuple[bool, bool, float, int]:
    """Order of a representative's candidates: matches first, text before title, then the score."""
    return (verdict.same, verdict.rule == "text", verdict.score, -other)


def _decision(item: Item, other: Item, verdict: Verdict) -> Decision:
    return Decision(item=item, rule=verdict.rule, similarity=verdict.score, threshold=verdict.threshold,
                    other_title=other.title, other_url=other.url, other_source=other.source, merged=verdict.same)


def _exact_groups(items: list[Item], keys: list[list[tuple[bool, int]]], order: list[int]) -> tuple[
        list[int], dict[int, Decision]]:
    """Group items that share a URL or id+title key; each group's first item in `order` leads it."""
    leader = list(range(len(items)))
    owner: dict[tuple[bool, int], int] = {}
    decisions: dict[int, Decision] = {}
    for i in order:
        for key in keys[i]:
            j = owner.setdefault(key, i)
            if j != i:
                leader[i] = leader[j]
                other = items[j]
                decisions[i] = Decision(item=items[i], rule="same-url" if key[0] else "same-id", similarity=1.0,
                                        threshold=1.0, other_title=other.title, other_url=other.url,
                                        other_source=other.source)
                for later in keys[i]:
                    owner.setdefault(later, i)
                break
    return leader, decisions


def _history_drops(items: list[Item], keys: list[list[tuple[bool, int]]], leaders: list[int],
                   members: dict[int, list[int]], feats: list[Features], weights: Weights, settings: DedupSettings,
                   history: History, decisions: dict[int, Decision]) -> set[int]:
    """Leader positions whose story an earlier digest carried; their decisions are written."""
    if len(history) == 0:
        return set()
    matches = history.match_keys([[k for m in [i, *members.get(i, ())] for k in keys[m]] for i in leaders])
    rest = [pos for pos in range(len(leaders)) if pos not in matches]
    for pos, match in history.match_stories(feats, rest, weights, settings).items():
        matches[pos] = match
    refs = history.describe(sorted({m.row for m in matches.values()}))
    for pos, match in matches.items():
        ref = refs.get(match.row)
        for m in [leaders[pos], *members.get(leaders[pos], ())]:
            decisions[m] = Decision(
                item=items[m], rule="history", similarity=match.similarity, threshold=match.threshold,
                other_title=ref.title if ref else "", other_url=ref.url if ref else "",
                other_source=ref.source if ref else "", matched_by=match.rule, sent_at=ref.sent_at if ref else None,
            )
    return set(matches)


def _story_pairs(feats: list[Features], alive: list[int], weights: Weights,
                 settings: DedupSettings) -> dict[int, dict[int, Verdict]]:
    """The verdict on every candidate pair of live leader positions, both directions."""
    edges: dict[int, dict[int, Verdict]] = {}
    for x, y in candidate_pairs([feats[p].title for p in alive], [feats[p].lead for p in alive], WINDOW_CAP).tolist():
        a, b = alive[x], alive[y]
        verdict = compare(feats[a], feats[b], weights, settings)
        if verdict.same or verdict.score > 0 or verdict.rule != "title":  # kept for explain: what kept them apart
            edges.setdefault(a, {})[b] = verdict
            edges.setdefault(b, {})[a] = verdict
    return edges


def _ref(item: Item, similarity: float) -> AlsoRef:
    return AlsoRef(title=item.title, url=item.url, source=item.source, similarity=round(similarity, 3))


def _with_also(item: Item, refs: list[AlsoRef]) -> Item:
    """The representative with each other URL listed once (the same URL is the same item)."""
    if not refs:
        return item
    seen = {item.url}
    also: list[AlsoRef] = []
    for ref in [*item.also, *refs]:
        if ref.url in seen:
            continue
        seen.add(ref.url)
        also.append(ref)
    return dataclasses.replace(item, also=tuple(also)) if also or item.also else item


def same_text(items: Sequence[Item], min_chars: int = 200) -> DedupResult:
    """After full text: items whose article texts are the same (ignoring case, space and punctuation)
    are one story, the first keeping the others as `also` (a feed link and a listing link to one page)."""
    owner: dict[str, int] = {}
    absorbed: dict[int, list[int]] = {}
    decisions: list[Decision] = []
    for i, item in enumerate(items):
        key = "".join(ch for ch in item.text.casefold() if ch.isalnum())
        j = owner.setdefault(key, i) if len(key) >= min_chars else i
        if j == i:
            absorbed[i] = []
            continue
        absorbed[j].append(i)
        other = items[j]
        decisions.append(Decision(item=item, rule="full-text", similarity=1.0, threshold=1.0,
                                  other_title=other.title, other_url=other.url, other_source=other.source))
    result = [_with_also(items[i], [ref for m in ms for ref in (_ref(items[m], 1.0), *items[m].also)])
              for i, ms in absorbed.items()]
    return DedupResult(items=result, decisions=decisions, duplicates=len(items) - len(result), dropped_history=0)
