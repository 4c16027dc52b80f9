"""The evaluation set is well formed, and the default beats the Lead-N baseline on it.

The full report (every algorithm, ROUGE, timings) is bench/quality/summarize_written.py; this test only
guards the headline claim in docs/benchmarks/summaries.md against regressions.
"""

from __future__ import annotations

import re
import statistics

import pytest

from digest.summarize import summarize
from digest.summarize.blurb import choose
from digest.summarize.sentences import split_sentences
from tests.support import paths

DATA = paths.DATA / "summaries"
_MARK = re.compile("⟦(.*?)⟧", re.S)


def _load(language: str) -> list[tuple[str, str, str, list[str]]]:
    articles = []
    for path in sorted((DATA / language).glob("*.txt")):
        header, body = path.read_text(encoding="utf-8").split("\n\n", 1)
        meta = dict(line.split(": ", 1) for line in header.splitlines())
        articles.append((path.stem, meta["title"], body.replace("⟦", "").replace("⟧", ""), _MARK.findall(body)))
    return articles


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_set_is_well_formed(language: str) -> None:
    articles = _load(language)
    assert len(articles) >= 15
    for name, title, text, reference in articles:
        sentences = [s.text for s in split_sentences(text)]
        assert title and len(reference) == 3, name
        for chosen in reference:
            assert chosen in sentences, f"{name}: reference is not one sentence of the splitter: {chosen!r}"


def _precision(chosen: tuple[str, ...] | list[str], reference: list[str]) -> float:
    return sum(s in reference for s in chosen) / len(chosen) if chosen else 0.0


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("budget", [True, False])
def test_default_beats_lead_n(language: str, budget: bool) -> None:
    ours, lead = [], []
    for _, title, text, reference in _load(language):
        max_chars = None if budget else 100_000
        summary = summarize(text, title=title, language=language, max_chars=max_chars)
        ours.append(_precision(summary.sentences, reference))
        all_sentences = [s.text for s in split_sentences(text)]
        limit = {"en": 320, "zh": 200}[language] if budget else 100_000
        first = choose(range(len(all_sentences)), all_sentences, 3, limit, reach=5)
        lead.append(_precision([all_sentences[i] for i in first], reference))
    assert statistics.mean(ours) > statistics.mean(lead) + 0.05
