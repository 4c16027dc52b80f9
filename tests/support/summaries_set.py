"""The real-article summary set: labels in tests/data/summaries_real/, text from ../shared/corpus.

Two batches of labels, each its own file and its own dev/test split: batch 1 (labels.yaml, the set
the ranking was tuned and reported on; its held-out half has been looked at many times) and batch 2
(labels_2.yaml, new articles labelled later so that a held-out number can again be blind).
`load()` reads batch 1 unless asked, so the numbers published for it stay reproducible.

A labels file stores references only (corpus path, item number for a feed, sentence numbers and
the sentence text), never the articles: the text is rebuilt here the way digest sees it, from an
article page by the full-text extractor (digest.fulltext.extract_main_text) and from a feed item by
the feed parser and normalizer.  Sentences are numbered by digest.summarize.split_sentences.

A reference is found again by its text (whitespace-insensitive), so a later change to extraction
or splitting that keeps the sentence still finds it; one it loses counts as missed, never silently
dropped.  Used by tests/summarize/test_real.py and bench/quality/summarize_real.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from tests.support import paths

REPO = paths.REPO
LABELS = paths.DATA / "summaries_real" / "labels.yaml"
BATCHES = {"1": LABELS, "2": paths.DATA / "summaries_real" / "labels_2.yaml",
           "3": paths.DATA / "summaries_real" / "labels_3.yaml"}
NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)
_SPACE = re.compile(r"\s+")
_CJK_TOKEN = re.compile(r"[\u4e00-\u9fff]|[A-Za-z0-9]+")


def corpus_root() -> Path | None:
    """The shared corpus (tests/support/paths.py), or None when it is not there."""
    return paths.CORPUS if paths.CORPUS.is_dir() else None


@dataclass(frozen=True)
class Article:
    key: str  # "html/article/gne/people-1.html" or "feeds/rssant/x.xml#3"
    language: str
    title: str
    text: str


def squash(text: str) -> str:
    return _SPACE.sub("", text)


def page_article(root: Path, relative: str) -> Article | None:
    """An article page as the full-text step sees it: decoded, extracted, titled by its metadata."""
    import trafilatura

    from digest.encoding import decode_html
    from digest.fulltext import extract_main_text
    from digest.normalize import detect_language

    html = decode_html((root / relative).read_bytes(), "text/html")
    text = extract_main_text(html, "")
    if not text:
        return None
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta is not None and meta.title else "") or ""
    return Article(relative, detect_language(f"{title}\n{text[:1000]}"), " ".join(title.split()), text)


@cache
def feed_items(root: Path, relative: str) -> tuple[Article, ...]:
    """The items of a corpus feed as the normalizer gives them (title, plain text, language)."""
    from digest.config import Source
    from digest.normalize import normalize_entries
    from digest.sources.feed import parse_feed

    path = root / relative
    entries = parse_feed(path.read_bytes(), {}, path.resolve().as_uri())
    items = normalize_entries(entries, Source(name=relative, url=path.resolve().as_uri(), index=0),
                              now=NOW, tz=ZoneInfo("UTC"))
    return tuple(Article(f"{relative}#{n}", i.language, i.title, i.text) for n, i in enumerate(items))


def article(root: Path, key: str) -> Article | None:
    if "#" in key:
        relative, number = key.rsplit("#", 1)
        items = feed_items(root, relative)
        return items[int(number)] if int(number) < len(items) else None
    return page_article(root, key)


@dataclass(frozen=True)
class Labelled:
    article: Article
    split: str  # "dev" (tuned on) or "test" (held out)
    reference: tuple[str, ...]  # the reference sentences' text as labelled
    why: str
    batch: str = "1"  # which labels file: a key of BATCHES


def load(language: str | None = None, batch: str = "1") -> list[Labelled]:
    """Every labelled article of `batch` ("1", "2" or "all") whose text could be rebuilt from the
    corpus (none without it).  Each batch keeps the split its file gives it."""
    if batch != "all" and batch not in BATCHES:
        raise ValueError(f"unknown batch {batch!r}: choose one of {', '.join(BATCHES)} or all")
    root = corpus_root()
    if root is None:
        return []
    out: list[Labelled] = []
    for name, labels in BATCHES.items():
        if batch not in ("all", name):
            continue
        for entry in yaml.safe_load(labels.read_text(encoding="utf-8"))["articles"]:
            if language and entry["language"] != language:
                continue
            found = article(root, entry["key"])
            if found is None:
                raise AssertionError(f"{labels.name}: {entry['key']}: no text could be rebuilt from the corpus")
            reference = tuple(entry["reference"].values())
            out.append(Labelled(found, entry["split"], reference, entry["why"], name))
    return out


def is_reference(sentence: str, reference: Sequence[str]) -> bool:
    """Same sentence, whitespace aside; or one holds the other and is at least 60% of it (a
    dateline cut off the front, a heading the extractor no longer glues on)."""
    key = squash(sentence).removesuffix("…")
    for ref in map(squash, reference):
        if key == ref:
            return True
        short, long_ = sorted((key, ref), key=len)
        if short and short in long_ and len(short) >= 0.6 * len(long_):
            return True
    return False


class Rouge:
    """ROUGE F1: rouge-score with stemming for English; for Chinese over characters (Latin words
    and numbers one token each), punctuation ignored."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self.english = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)

    def f1(self, language: str, candidate: str, reference: str) -> tuple[float, float]:
        if language == "en":
            scores = self.english.score(reference, candidate)
            return scores["rouge1"].fmeasure, scores["rouge2"].fmeasure
        tokens_c = _CJK_TOKEN.findall(candidate.lower())
        tokens_r = _CJK_TOKEN.findall(reference.lower())
        return _ngram_f1(tokens_c, tokens_r, 1), _ngram_f1(tokens_c, tokens_r, 2)


def _ngram_f1(candidate: list[str], reference: list[str], n: int) -> float:
    c = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
    r = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((c & r).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(c.values()), overlap / sum(r.values())
    return 2 * precision * recall / (precision + recall)


