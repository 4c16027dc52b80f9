"""Summaries on real text from ../shared/corpus (issue 16); skipped cleanly without the corpus.

- The labelled set (tests/data/summaries_real/labels.yaml) is well formed, and on its held-out
  half the default beats Lead-3 and every shipped sumy algorithm on sentence precision and
  ROUGE-2 in both languages, with the levels docs/benchmarks/summaries.md reports.
- On every real feed, article page and listing page in the corpus, at most 1% of blurbs hold page
  furniture of the kinds issue 16 lists.  The detector here is written apart from
  digest/furniture.py, from the issue's descriptions, so the filter is not checked by itself.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from digest.summarize import DEFAULT_MAX_CHARS, summarize
from digest.summarize.algorithms import SUMY_ALGORITHMS
from digest.summarize.blurb import choose
from digest.summarize.sentences import split_sentences
from tests.support.summaries_set import (
    Article,
    Labelled,
    Rouge,
    corpus_root,
    feed_items,
    is_reference,
    load,
    page_article,
)

pytestmark = pytest.mark.skipif(corpus_root() is None, reason="../shared/corpus is not beside the checkout")


@pytest.fixture(scope="module")
def labelled() -> list[Labelled]:
    return load()


def _check_well_formed(labelled: list[Labelled], at_least: int = 30) -> None:
    """At least `at_least` articles a language, halves, three references each still in the rebuilt text."""
    for language in ("en", "zh"):
        items = [i for i in labelled if i.article.language == language]
        assert len(items) >= at_least, language
        assert abs(sum(i.split == "dev" for i in items) - sum(i.split == "test" for i in items)) <= 1
    for item in labelled:
        sentences = [s.text for s in split_sentences(item.article.text)]
        assert len(item.reference) == 3 and item.why, item.article.key
        for reference in item.reference:  # still a sentence of the text digest builds
            assert any(is_reference(s, [reference]) for s in sentences), (item.article.key, reference)


def _lead3(item: Labelled, budget: int) -> tuple[str, ...]:
    texts = [s.text for s in split_sentences(item.article.text)]
    return tuple(texts[i] for i in choose(range(len(texts)), texts, 3, budget, reach=5))


def _scores(items: list[Labelled], algorithm: str, rouge: Rouge) -> tuple[float, float, float]:
    precision, recall, rouge2 = [], [], []
    for item in items:
        language = item.article.language
        budget = DEFAULT_MAX_CHARS[language]
        if algorithm == "lead-3":
            chosen = _lead3(item, budget)
        else:
            chosen = summarize(item.article.text, title=item.article.title, language=language,
                               algorithm=algorithm).sentences
        precision.append(sum(is_reference(s, item.reference) for s in chosen) / len(chosen) if chosen else 0.0)
        recall.append(sum(is_reference(r, chosen) for r in item.reference) / 3)
        joiner = "" if language == "zh" else " "
        rouge2.append(rouge.f1(language, joiner.join(chosen), joiner.join(item.reference))[1])
    return statistics.mean(precision), statistics.mean(recall), statistics.mean(rouge2)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_default_wins_on_held_out_real_articles(labelled: list[Labelled], language: str) -> None:
    _check_well_formed(labelled)
    rouge = Rouge()
    test = [i for i in labelled if i.split == "test" and i.article.language == language]
    precision, recall, rouge2 = _scores(test, "auto", rouge)
    for other in ("lead-3", *SUMY_ALGORITHMS):
        p, _, r2 = _scores(test, other, rouge)
        assert precision > p and rouge2 > r2, (other, (precision, rouge2), (p, r2))
    # The levels in docs/benchmarks/summaries.md (held out, as shipped), to the nearest 0.05 below.
    floor = {"en": (0.70, 0.30, 0.50), "zh": (0.60, 0.50, 0.60)}[language]
    assert all(a >= b for a, b in zip((precision, recall, rouge2), floor, strict=True)), (precision, recall, rouge2)


def test_batch_2_is_well_formed_and_keeps_batch_1_apart(labelled: list[Labelled]) -> None:
    """Batch 2 (labels_2.yaml, new articles for a blind held-out number): at least 12 a language,
    halves, three references each still in the rebuilt text; reading both batches changes no split."""
    batch2 = load(batch="2")
    _check_well_formed(batch2, at_least=12)
    assert {i.batch for i in batch2} == {"2"}
    both = {(i.batch, i.article.key, i.split) for i in load(batch="all") if i.batch in ("1", "2")}
    assert both == {(i.batch, i.article.key, i.split) for i in (*labelled, *batch2)}
    assert {i.article.key for i in labelled}.isdisjoint(i.article.key for i in batch2)


def test_batch_3_is_well_formed_and_apart_from_batches_1_and_2(labelled: list[Labelled]) -> None:
    """Batch 3 (labels_3.yaml, feed items labelled on 8 Dec 2026 for a blind held-out number): at least
    20 a language, halves, three references each still in the rebuilt text, no article of an earlier batch."""
    batch3 = load(batch="3")
    _check_well_formed(batch3, at_least=20)
    assert {i.batch for i in batch3} == {"3"}
    earlier = {i.article.key for i in load(batch="all") if i.batch != "3"}
    assert earlier.isdisjoint(i.article.key for i in batch3)


# -- furniture in blurbs over the whole corpus --------------------------------------------------

_FURNITURE = {
    "wordpress footer": re.compile(r"appeared first on|最先出现在|最早出現於|最早出现于", re.IGNORECASE),
    "label only": re.compile(r"^(?:[^。！？.!?]{1,20}[：:]\s*)+$"),
    "css line": re.compile(r"!important|^[\w.#\s>:-]+\{|^\}$"),
    "dateline or byline": re.compile(r"^\S{0,20}\d{1,2}月\d{1,2}日[电讯]|^[（(]记者|^[A-Z]{3,}[A-Z ,/]*(?:\([A-Za-z]+\))?\s+[-—–]+\s"
                                     r"|^By [A-Z][a-z]+ [A-Z][a-z]+$"),
    "stock quote": re.compile(r"[（(]\s*[\d.]+\s*,\s*-?[\d.]+\s*,\s*-?[\d.]+%\s*[)）]"),
    "video link": re.compile(r"Video Link:\s*https?://", re.IGNORECASE),
    "feed's cut marker": re.compile(r"\[(?:…|\.\.\.|&hellip;)\]|\s\.\.\.$"),
    # Headlines of a related-articles block run together: a date or a comment count glued between two.
    "related headlines": re.compile(r"[^\W\d_](?:19|20)\d\d-\d\d?-\d\d?(?:[^\W\d_]|[“《【])|\s评论\s\d+\S"),
    # A site pointing to itself: its address, its accounts elsewhere (喷嚏网's footer, news pages' "Follow us on").
    "official site line": re.compile(r"^\S{0,12}(?:官方网站|官网)\s*[:：]\s*https?://\S+(?:\s*\(.*\))?$|^Official website:\s*http"),
    "follow us line": re.compile(r"官方新浪围脖$|官方微博$|^关注我们|^Follow us on \w+", re.IGNORECASE),
}
# Checked on the line of the article a blurb sentence comes from: a photo caption ends in its credit.
_CAPTION_LINE = re.compile(r"\b(?:Photo|Image|Picture)s?(?:\s+credit)?\s*:\s*[^.!?]{1,60}$", re.IGNORECASE)


def _corpus_texts() -> Iterator[tuple[str, Article]]:
    root = corpus_root()
    assert root is not None
    for path in sorted((root / "feeds").rglob("*")):
        if not path.is_file():
            continue
        relative = str(path.relative_to(root))
        try:
            items = feed_items(root, relative)
        except Exception:  # not a feed (an HTML error page, broken JSON): nothing to summarise
            continue
        for item in items:
            yield "feed", item
    for path in sorted((root / "html" / "article").glob("*/*.html")):
        if "feed-snippet" not in path.name:
            page = page_article(root, str(path.relative_to(root)))
            if page is not None:
                yield "full text", page
    yield from _listing_teasers(root)


def _listing_teasers(root: object) -> Iterator[tuple[str, Article]]:
    from pathlib import Path

    from digest.config import Source
    from digest.errors import ParseError
    from digest.normalize import normalize_entries
    from digest.sources.listing import parse_listing

    now = datetime(2024, 6, 5, 12, tzinfo=UTC)
    assert isinstance(root, Path)
    for path in sorted((root / "html" / "listing").glob("*/*.html")):
        url = path.resolve().as_uri()
        try:
            entries = parse_listing(path.read_bytes(), {}, url, None, tz=ZoneInfo("UTC"), now=now).entries
        except ParseError:
            continue
        source = Source(name=path.name, url=url, index=0, type="listing")
        for item in normalize_entries(entries, source, now=now, tz=ZoneInfo("UTC")):
            yield "listing", Article(str(path), item.language, item.title, item.text)


def test_at_most_one_blurb_in_a_hundred_holds_furniture() -> None:
    blurbs = 0
    found: dict[str, list[str]] = {}
    kinds_seen: set[str] = set()
    for kind, article in _corpus_texts():
        if not article.text.strip():
            continue
        summary = summarize(article.text, title=article.title, language=article.language)
        if not summary.text:
            continue
        blurbs += 1
        kinds_seen.add(kind)
        sentences = [" ".join(s.split()) for s in summary.sentences]
        title = " ".join(article.title.split())
        for name, pattern in _FURNITURE.items():
            if any(pattern.search(s) for s in sentences):
                found.setdefault(name, []).append(f"{article.key}: {summary.text[:100]}")
        lines = [" ".join(line.split()) for line in article.text.splitlines()]
        if any(_CAPTION_LINE.search(line) for line in lines if any(s in line for s in sentences)):
            found.setdefault("photo caption", []).append(f"{article.key}: {summary.text[:100]}")
        if len(title) >= 8 and sentences and sentences[0].startswith(title + " "):  # 8: Chinese headlines too
            found.setdefault("title repeated", []).append(f"{article.key}: {summary.text[:100]}")
    assert blurbs > 1500 and kinds_seen == {"feed", "full text", "listing"}
    bad = sum(len(v) for v in found.values())
    assert bad <= blurbs / 100, found
