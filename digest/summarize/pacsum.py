"""Position-aware centrality (the PacSum idea, Zheng & Lapata 2019) on tf-idf vectors.

Plain centrality (LexRank, TextRank) treats an article as a bag of sentences, but news puts its
point first: a sentence that later sentences elaborate on is central *and* early.  PacSum makes
the sentence graph directed: similarity to following sentences counts for a sentence, similarity
to preceding ones counts against it.  To that we add the headline (a sentence close to the
title is on topic) and a gentle lead prior, then demote near-duplicates of better sentences.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .cues import cue_penalties

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PacSumParams:
    """Weights (the defaults are English's); see PARAMS."""

    beta: float = 0.1  # edge threshold, as a share of the similarity range
    centrality: float = 1.0  # weight of the directed centrality (scaled so the most central sentence has 1)
    backward: float = 0.25  # weight against similarity to preceding sentences (PacSum's -lambda1)
    title: float = 1.5  # weight of cosine similarity to the headline
    lead: float = 1.0  # weight of the 1 / (1 + position / lead_scale) prior
    redundancy: float = 0.6  # cosine above which a sentence repeats a better-ranked one
    overlap: float = 0.5  # share of TextRank's overlap similarity mixed into the tf-idf cosine
    length: float = 1.0  # weight of log(1 + terms) / log(1 + most terms): informative sentences are long
    # Issue 16 (tuned on the dev half of the real-article set, tests/data/summaries_real):
    lead_scale: float = 5.0  # positions over which the lead prior halves
    long_share: float = 0.6  # a sentence longer than this share of the blurb budget ...
    long: float = 0.5  # ... loses this much per budget-length of excess (background runs long)
    leaning: float = 0.3  # penalty for a sentence that leans on one before it ("This…", "但…", "此外…")
    quote: float = 0.2  # penalty for a sentence that opens a quotation
    question: float = 0.5  # penalty for a question (a hook: "Are you in the grips of the storm?")
    facts: float = 0.0  # bonus for names and numbers, up to four of them (the facts of a story)
    teaser: float = 0.8  # share of an opening sentence's words a later one holds to make it a teaser
    announce: float = 0.0  # bonus for a sentence that says what the post is about ("I'll be discussing…")
    coherent: bool = False  # a lower-ranked sentence that leans back never opens a blurb (blurb.choose)
    introduce: bool = False  # a lower-ranked sentence ending in a colon comes only with the next one


# One set of weights per language: the blurb budgets differ (320 / 200 characters), and so do the
# habits of the press (an English lede is one long sentence; a Chinese one runs over several).
# Chosen by bench/tune/summarize_real.py on the dev half only (announce and coherent: by hand, on the
# dev half, one change at a time; docs/benchmarks/summaries.md).
PARAMS = {
    "en": PacSumParams(long=0.0, announce=0.6, coherent=True, introduce=True),
    "zh": PacSumParams(title=2.0, overlap=1.0, long=2.0, facts=0.2, leaning=0.0, question=0.0, introduce=True),
}


def rank(
    sentence_terms: Sequence[Sequence[str]],
    title_terms: Sequence[str],
    params: PacSumParams = PARAMS["en"],
    texts: Sequence[str] = (),
    budget: int = 0,
) -> list[int]:
    """Indices of the sentences, best first; ties go to the earlier sentence.

    With `texts` (the sentences as shown) and `budget` (the blurb's characters), the cues from
    the sentences' own wording count too: see `cues.py`.
    """
    n = len(sentence_terms)
    if n <= 1:
        return list(range(n))
    vectors, title = _tfidf(sentence_terms, title_terms)
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, 0.0)
    graph = similarity
    if params.overlap:
        graph = (1 - params.overlap) * similarity + params.overlap * _overlap(sentence_terms)
    scores = _directed_centrality(graph, params.beta, params.backward)
    peak = float(np.max(np.abs(scores)))
    if peak > 0:
        scores = params.centrality * scores / peak
    scores = scores + params.title * (vectors @ title)
    sizes = np.log1p(np.array([len(t) for t in sentence_terms], dtype=np.float64))
    if sizes.max() > 0:
        scores = scores + params.length * sizes / sizes.max()
    positions = np.arange(n, dtype=np.float64)
    scores = scores + params.lead / (1.0 + positions / params.lead_scale)
    if texts:
        scores = scores - cue_penalties(texts, budget, params)
    order = sorted(range(n), key=lambda i: (-float(scores[i]), i))
    teasers = _teasers(sentence_terms, params.teaser)
    order = [i for i in order if i not in teasers] + [i for i in order if i in teasers]
    return _demote_repeats(order, similarity, params.redundancy)


def _teasers(sentence_terms: Sequence[Sequence[str]], share: float) -> set[int]:
    """Opening sentences whose words a sentence at least three further down holds (at least
    `share` of them): a teaser or standfirst printed above the lede, whose fuller copy in the body
    is the one to quote."""
    sets = [set(t) for t in sentence_terms]
    return {
        i for i in range(min(3, len(sets)))
        if len(sets[i]) >= 4 and any(len(sets[i] & sets[j]) >= share * len(sets[i]) for j in range(i + 3, len(sets)))
    }


def _tfidf(sentence_terms: Sequence[Sequence[str]], title_terms: Sequence[str]) -> tuple[Matrix, Matrix]:
    vocabulary: dict[str, int] = {}
    document_frequency: Counter[str] = Counter()
    for terms in sentence_terms:
        for term in set(terms):
            document_frequency[term] += 1
            vocabulary.setdefault(term, len(vocabulary))
    n = len(sentence_terms)
    idf = np.zeros(len(vocabulary))
    for term, column in vocabulary.items():
        idf[column] = math.log((n + 1) / (document_frequency[term] + 0.5))
    vectors = np.zeros((n, len(vocabulary)))
    for row, terms in enumerate(sentence_terms):
        for term, count in Counter(terms).items():
            vectors[row, vocabulary[term]] = count * idf[vocabulary[term]]
    title = np.zeros(len(vocabulary))
    for term, count in Counter(title_terms).items():
        if term in vocabulary:
            title[vocabulary[term]] = count * idf[vocabulary[term]]
    return _normalise_rows(vectors), _normalise_rows(title[np.newaxis, :])[0]


def _overlap(sentence_terms: Sequence[Sequence[str]]) -> Matrix:
    """TextRank's sentence similarity: shared terms over log lengths, scaled to [0, 1].

    Shared terms, sum over words of min(count in i, count in j), is computed as a sum of
    matrix products of "at least t times" indicators, t running over the counts that occur
    (min(a, b) = sum over t of (t - previous t) * [a >= t] * [b >= t]): the same numbers as a
    pairwise loop, without the loop (which was most of the cost for a 120-sentence article).
    """
    vocabulary: dict[str, int] = {}
    rows: list[Counter[str]] = [Counter(t) for t in sentence_terms]
    for row in rows:
        for term in row:
            vocabulary.setdefault(term, len(vocabulary))
    n = len(rows)
    counts = np.zeros((n, max(len(vocabulary), 1)))
    for i, row in enumerate(rows):
        for term, count in row.items():
            counts[i, vocabulary[term]] = count
    shared = np.zeros((n, n))
    previous = 0.0
    for threshold in np.unique(counts[counts > 0]):
        at_least = (counts >= threshold).astype(np.float64)
        shared += (threshold - previous) * (at_least @ at_least.T)
        previous = float(threshold)
    logs = np.array([math.log(len(t)) if len(t) > 1 else 0.0 for t in sentence_terms])
    denominator = logs[:, np.newaxis] + logs[np.newaxis, :]
    matrix: Matrix = np.divide(shared, denominator, out=np.zeros((n, n)), where=denominator > 0)
    np.fill_diagonal(matrix, 0.0)
    peak = float(matrix.max())
    return matrix / peak if peak > 0 else matrix


def _normalise_rows(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: Matrix = matrix / norms
    return normalised


def _directed_centrality(similarity: Matrix, beta: float, backward: float) -> Matrix:
    n = similarity.shape[0]
    off_diagonal = similarity[~np.eye(n, dtype=bool)]
    low, high = float(off_diagonal.min()), float(off_diagonal.max())
    edges = np.maximum(similarity - (low + beta * (high - low)), 0.0)
    later = np.triu(edges, k=1).sum(axis=1)  # edges to sentences after i
    earlier = np.tril(edges, k=-1).sum(axis=1)  # edges to sentences before i
    scores: Matrix = later - backward * earlier
    return scores


def _demote_repeats(order: list[int], similarity: Matrix, threshold: float) -> list[int]:
    kept: list[int] = []
    repeats: list[int] = []
    for index in order:
        if any(similarity[index, other] > threshold for other in kept):
            repeats.append(index)
        else:
            kept.append(index)
    return kept + repeats
