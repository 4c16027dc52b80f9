"""Milliseconds to summarise very long articles, per algorithm and language, with the candidate cap.

    python -m bench.speed.summarize               # 20,000-word and 2,000-sentence articles
    python -m bench.speed.summarize --uncapped    # also each algorithm without the cap, at 300 sentences

The long articles are made from the evaluation set's own sentences, recombined (first half of one
sentence + second half of another, fixed seed) so that none repeats and the deduplication cannot
shrink them.  Times are the median of --runs runs after one warm-up run (imports, rjieba's
dictionary); Lead is the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import digest.summarize as summarize_module
from bench.quality.summarize_written import load
from digest.summarize import ALGORITHMS, summarize
from digest.summarize.sentences import split_sentences
from tests.support import paths


def long_article(language: str, sentences: int, words: int | None = None) -> str:
    """A synthetic article of `sentences` unique sentences (or about `words` words for English)."""
    pool = [s.text for a in load(language) for s in split_sentences(a.text) if s.terminated and len(s.text) > 30]
    rng = random.Random(20240601)
    out: list[str] = []
    count = 0
    while (words is None and len(out) < sentences) or (words is not None and count < words):
        a, b = rng.choice(pool), rng.choice(pool)
        sentence = a[: len(a) // 2] + b[len(b) // 2 :]
        out.append(sentence)
        count += len(sentence.split()) if language == "en" else len(sentence) // 2
    paragraphs = ["".join(out[i : i + 4]) if language == "zh" else " ".join(out[i : i + 4]) for i in range(0, len(out), 4)]
    return "\n\n".join(paragraphs)


def timed(text: str, language: str, algorithm: str, runs: int) -> float:
    summarize(text, title="Long article", language=language, algorithm=algorithm)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        summarize(text, title="Long article", language=language, algorithm=algorithm)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


_COLD = """
import time
started = time.perf_counter()
from digest.summarize import summarize
summarize({text!r}, title="t", language={language!r}, algorithm={algorithm!r})
print((time.perf_counter() - started) * 1000)
"""


def cold_start(language: str, algorithm: str) -> float:
    """First summary in a fresh process: imports, Punkt's model, rjieba's built-in dictionary."""
    import subprocess

    text = "\n\n".join(a.text for a in load(language)[:2])
    code = _COLD.format(text=text, language=language, algorithm=algorithm)
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.REPO, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--uncapped", action="store_true")
    args = parser.parse_args()
    algorithms = ALGORITHMS[1:]
    print("### first summary in a fresh process (ms)\n")
    print("| language | " + " | ".join(algorithms) + " |")
    print("|---|" + "---:|" * len(algorithms))
    for language in ("en", "zh"):
        print(f"| {language} | " + " | ".join(f"{cold_start(language, a):.0f}" for a in algorithms) + " |")
    for language in ("en", "zh"):
        articles = {
            "20,000 words": long_article(language, 0, words=20_000),
            "2,000 sentences": long_article(language, 2_000),
        }
        print(f"\n### {language}\n")
        print("| article | sentences | chars | " + " | ".join(algorithms) + " |")
        print("|---|---:|---:|" + "---:|" * len(algorithms))
        for label, text in articles.items():
            n = len(split_sentences(text))
            cells = [f"{timed(text, language, a, args.runs):.0f}" for a in algorithms]
            print(f"| {label} | {n} | {len(text)} | " + " | ".join(cells) + " |")
        if args.uncapped:
            text = long_article(language, 300)
            saved = dict(summarize_module.CANDIDATE_CAP)
            summarize_module.CANDIDATE_CAP.clear()
            try:
                cells = [f"{timed(text, language, a, 1):.0f}" for a in algorithms]
            finally:
                summarize_module.CANDIDATE_CAP.update(saved)
            print(f"| 300 sentences, no cap | 300 | {len(text)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
