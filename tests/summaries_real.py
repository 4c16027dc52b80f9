"""The real-article summary set: labels in tests/data/summaries_real/labels.yaml, text from ../shared/corpus.

The labels file stores references only (corpus path, item number for a feed, sentence numbers and
the sentence text), never the articles: the text is rebuilt here the way digest sees it, from an
article page by the full-text extractor (digest.fulltext.extract_main_text) and from a feed item by
the feed parser and normalizer.  Sentences are numbered by digest.summarize.split_sentences.

A reference is found again by its text (whitespace-insensitive), so a later change to extraction
or splitting that keeps the sentence still finds it; one it loses counts as missed, never silently
dropped.  Used by tests/test_summarize_real.py and bench/summarize_real.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

REPO = Path(__file__).resolve().parents[1]
LABELS = Path(__file__).parent / "data" / "summaries_real" / "labels.yaml"
NOW = datetime(2024, 6, 5, 12, tzinfo=UTC)
_SPACE = re.compile(r"\s+")


def corpus_root() -> Path | None:
    """../shared/corpus beside the checkout (or beside the folder of worktrees), or None."""
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "corpus").is_dir():
            return base / "shared" / "corpus"
    return None


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


def load(language: str | None = None) -> list[Labelled]:
    """Every labelled article whose text could be rebuilt from the corpus (none without it)."""
    root = corpus_root()
    if root is None:
        return []
    data = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    out: list[Labelled] = []
    for entry in data["articles"]:
        if language and entry["language"] != language:
            continue
        found = article(root, entry["key"])
        if found is None:
            raise AssertionError(f"{entry['key']}: no text could be rebuilt from the corpus")
        reference = tuple(entry["reference"].values())
        out.append(Labelled(found, entry["split"], reference, entry["why"]))
    return out
