"""Grid search of the PacSum weights on the dev articles only (the test articles stay held out).

    python -m bench.tune.summarize_written            # prints the best settings and the top of the grid
"""

from __future__ import annotations

import argparse
import itertools
import statistics

from bench.quality.summarize_written import Rouge, load
from digest.summarize import CANDIDATE_CAP, DEFAULT_MAX_CHARS, pick
from digest.summarize.candidates import candidates
from digest.summarize.pacsum import PacSumParams, rank
from digest.summarize.tokenizer import terms

GRID = {
    "beta": (0.0, 0.1, 0.2),
    "backward": (0.0, 0.25, 0.5),
    "title": (0.5, 1.0),
    "lead": (0.3, 0.6),
    "length": (0.75, 1.5, 2.5),
    "overlap": (0.0, 0.5),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", nargs="?", default="dev", choices=("dev", "test", "all"),
                        help="the articles to search on (default dev: the test half stays held out)")
    split = parser.parse_args().split
    rouge = Rouge()
    prepared = []
    for language in ("en", "zh"):
        for article in load(language):
            if split not in ("all", article.split):
                continue
            pool = candidates(article.text, article.title, language, CANDIDATE_CAP["pacsum"])
            prepared.append((article, pool, [terms(s.text, language) for s in pool], terms(article.title, language)))
    results = []
    for values in itertools.product(*GRID.values()):
        params = PacSumParams(**dict(zip(GRID, values, strict=True)))
        per_language: dict[str, list[float]] = {"en": [], "zh": []}
        for article, pool, sentence_terms, title_terms in prepared:
            order = rank(sentence_terms, title_terms, params)
            for budget in (DEFAULT_MAX_CHARS[article.language], 10**6):  # as shipped, and rank quality alone
                chosen = [pool[i].text for i in pick(order, pool, article.text, article.language, "pacsum", 3, budget,
                                                     params=params)]
                precision = sum(s in article.reference for s in chosen) / max(len(chosen), 1)
                joiner = "" if article.language == "zh" else " "
                r1, r2 = rouge.f1(article.language, joiner.join(chosen), joiner.join(article.reference))
                per_language[article.language].append((precision + r1 + r2) / 3)
        score = statistics.mean(statistics.mean(v) for v in per_language.values())
        results.append((score, {k: statistics.mean(v) for k, v in per_language.items()}, params))
    results.sort(key=lambda r: -r[0])
    for score, by_language, params in results[:15]:
        print(f"{score:.4f} en {by_language['en']:.3f} zh {by_language['zh']:.3f} {params}")
    default = [r for r in results if r[2] == PacSumParams()]
    if default:
        print(f"shipped defaults: {default[0][0]:.4f}, rank {results.index(default[0]) + 1} of {len(results)}")


if __name__ == "__main__":
    main()
