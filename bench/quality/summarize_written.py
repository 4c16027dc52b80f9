"""Quality and speed of every summary algorithm on the evaluation set in tests/data/summaries/.

    python -m bench.quality.summarize_written                 # all articles, blurb budget as shipped
    python -m bench.quality.summarize_written --split test    # only the held-out articles
    python -m bench.quality.summarize_written --no-budget     # rank quality alone (3 sentences, no char limit)

Metrics per algorithm and language: sentence precision (share of chosen sentences that are in
the reference), ROUGE-1/ROUGE-2 F1 against the reference sentences (rouge-score with stemming for
English, character n-grams for Chinese), and milliseconds per article (median, worst).
"Lead-N (raw)" is the textbook baseline: the first N sentences as split, nothing filtered.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from dataclasses import dataclass

from bench.quality.summarize_real import pin_hash_seed
from digest.summarize import ALGORITHMS, DEFAULT_MAX_CHARS, summarize
from digest.summarize.blurb import choose
from digest.summarize.sentences import split_sentences
from tests.support import paths
from tests.support.summaries_set import Rouge

DATA = paths.DATA / "summaries"
_MARK = re.compile("⟦(.*?)⟧", re.S)


@dataclass(frozen=True)
class Article:
    name: str
    language: str
    title: str
    split: str
    text: str
    reference: tuple[str, ...]


def load(language: str) -> list[Article]:
    articles = []
    for path in sorted((DATA / language).glob("*.txt")):
        header, body = path.read_text(encoding="utf-8").split("\n\n", 1)
        meta = dict(line.split(": ", 1) for line in header.splitlines())
        articles.append(
            Article(
                name=path.stem,
                language=language,
                title=meta["title"],
                split=meta.get("split", "test"),
                text=body.replace("⟦", "").replace("⟧", ""),
                reference=tuple(_MARK.findall(body)),
            )
        )
    return articles


def lead_raw(article: Article, count: int, max_chars: int) -> tuple[str, ...]:
    texts = [s.text for s in split_sentences(article.text)]
    chosen = choose(range(len(texts)), texts, count, max_chars, reach=count + 2)
    return tuple(texts[i] for i in chosen)


def evaluate(articles: list[Article], algorithm: str, count: int, budget: bool, rouge: Rouge) -> dict[str, float]:
    precisions, r1s, r2s, times = [], [], [], []
    for article in articles:
        max_chars = DEFAULT_MAX_CHARS[article.language] if budget else 10**6
        started = time.perf_counter()
        if algorithm == "lead-raw":
            chosen = lead_raw(article, count, max_chars)
        else:
            chosen = summarize(
                article.text, title=article.title, language=article.language,
                sentences=count, max_chars=max_chars, algorithm=algorithm,
            ).sentences
        times.append((time.perf_counter() - started) * 1000)
        hits = sum(1 for s in chosen if s in article.reference)
        precisions.append(hits / len(chosen) if chosen else 0.0)
        joiner = "" if article.language == "zh" else " "
        r1, r2 = rouge.f1(article.language, joiner.join(chosen), joiner.join(article.reference))
        r1s.append(r1)
        r2s.append(r2)
    return {
        "precision": statistics.mean(precisions),
        "rouge1": statistics.mean(r1s),
        "rouge2": statistics.mean(r2s),
        "median_ms": statistics.median(times),
        "worst_ms": max(times),
    }


def main() -> None:
    pin_hash_seed("bench.quality.summarize_written")  # its LSA row too
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("all", "dev", "test"), default="all")
    parser.add_argument("--no-budget", action="store_true", help="no character budget: rank quality alone")
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--algorithms", default=",".join(("lead-raw", *ALGORITHMS[1:])))
    args = parser.parse_args()
    rouge = Rouge()
    algorithms = args.algorithms.split(",")
    for language in ("en", "zh"):
        articles = [a for a in load(language) if args.split in ("all", a.split)]
        # warm-up: imports, rjieba's dictionary, Punkt's model (reported separately in the docs)
        for algorithm in algorithms:
            if algorithm != "lead-raw":
                summarize(articles[0].text, title=articles[0].title, language=language, algorithm=algorithm)
        budget = "no character limit" if args.no_budget else f"max_chars {DEFAULT_MAX_CHARS[language]}"
        print(f"\n### {language}: {len(articles)} articles ({args.split}), {args.sentences} sentences, {budget}\n")
        print("| algorithm | sentence precision | ROUGE-1 F1 | ROUGE-2 F1 | ms median | ms worst |")
        print("|---|---:|---:|---:|---:|---:|")
        for algorithm in algorithms:
            m = evaluate(articles, algorithm, args.sentences, not args.no_budget, rouge)
            label = "Lead-N (raw)" if algorithm == "lead-raw" else algorithm
            print(
                f"| {label} | {m['precision']:.3f} | {m['rouge1']:.3f} | {m['rouge2']:.3f} "
                f"| {m['median_ms']:.1f} | {m['worst_ms']:.1f} |"
            )


if __name__ == "__main__":
    main()
