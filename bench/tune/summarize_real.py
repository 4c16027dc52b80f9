"""The PacSum weight search on the dev half of the real-article set (tests/data/summaries_real).

    python -m bench.tune.summarize_real [--trials 300] [--seed 1]
    python -m bench.tune.summarize_real --ablate      # each part of the shipped ranking taken out or changed
    python -m bench.tune.summarize_real --ablate --batch all   # the same on every batch's dev half
    python -m bench.tune.summarize_real --ablate --per-batch   # each batch's dev half (1, 2, 3) in its own columns

Random search over the weights in digest.summarize.pacsum.PacSumParams and the blurb's reach;
objective: the mean over both languages of sentence precision, reference recall and ROUGE-2 as
shipped (3 sentences, default max_chars).  Only dev articles are read; the held-out half is
reported by bench/quality/summarize_real.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics

from digest.summarize import CANDIDATE_CAP, DEFAULT_MAX_CHARS, pick
from digest.summarize.candidates import candidates
from digest.summarize.pacsum import PARAMS, PacSumParams, rank
from digest.summarize.tokenizer import terms
from tests.support.summaries_set import BATCHES, Rouge, is_reference, load

SPACE = {
    "beta": [0.1, 0.2, 0.3],
    "backward": [0.0, 0.25, 0.5],
    "title": [0.5, 1.0, 1.5, 2.0],
    "lead": [0.3, 0.6, 1.0, 1.5, 2.0, 3.0, 4.0],
    "lead_scale": [1.0, 2.0, 3.0, 5.0],
    "length": [0.0, 0.5, 1.0, 2.0],
    "long": [0.0, 0.5, 1.0, 2.0, 3.0],
    "long_share": [0.3, 0.4, 0.5, 0.6],
    "leaning": [0.0, 0.3, 0.6, 1.0, 1.5, 2.0, 3.0],
    "quote": [0.0, 0.2, 0.5, 1.0],
    "teaser": [0.5, 0.6, 0.8, 1.1],
    "facts": [0.0, 0.2, 0.5, 1.0],
    "overlap": [0.0, 0.5, 1.0],
    "redundancy": [0.4, 0.6, 0.8],
    "centrality": [0.5, 1.0, 1.5, 2.0],
    "question": [0.0, 0.5, 1.0],
}
REACH = [0, 1, 2]
# What each part of the ranking is worth on dev: (label, change to the shipped weights; a string is
# added to the language's shipped weight, "+0.5").
ABLATIONS: list[tuple[str, dict[str, float | str]]] = [
    ("as shipped", {}),
    ("no centrality", {"centrality": 0.0}),
    ("centrality 0.5", {"centrality": 0.5}),
    ("centrality 1.1", {"centrality": 1.1}),
    ("centrality 1.25", {"centrality": 1.25}),
    ("centrality 1.5", {"centrality": 1.5}),
    ("centrality 2", {"centrality": 2.0}),
    ("undirected graph (backward -1)", {"backward": -1.0}),
    ("no lead prior", {"lead": 0.0}),
    ("lead prior halving over 10 positions", {"lead_scale": 10.0}),
    ("no headline similarity", {"title": 0.0}),
    ("headline similarity -0.5", {"title": "-0.5"}),
    ("headline similarity +0.5", {"title": "+0.5"}),
    ("headline similarity +1", {"title": "+1"}),
    ("centrality 1.25, headline similarity +0.25", {"centrality": 1.25, "title": "+0.25"}),
    ("no length prior", {"length": 0.0}),
    ("question cue 0", {"question": 0.0}),
    ("question cue 0.5", {"question": 0.5}),
    ("no announcement cue", {"announce": 0.0}),
    ("no coherence rule (a leaning sentence may open a blurb)", {"coherent": False}),
    ("no colon rule (a sentence ending in a colon may come alone)", {"introduce": False}),
]


def prepare(language: str | None, batch: str = "1"):  # type: ignore[no-untyped-def]
    out = []
    for item in load(language, batch):
        if item.split != "dev":
            continue
        lang = item.article.language
        pool = candidates(item.article.text, item.article.title, lang, CANDIDATE_CAP["pacsum"])
        out.append((item, lang, pool, [terms(s.text, lang) for s in pool], terms(item.article.title, lang)))
    return out


def evaluate(prepared, params: PacSumParams, reach: int, rouge: Rouge) -> dict[str, float]:  # type: ignore[no-untyped-def]
    per_lang: dict[str, list[tuple[float, float, float]]] = {"en": [], "zh": []}
    for item, lang, pool, sentence_terms, title_terms in prepared:
        budget = DEFAULT_MAX_CHARS[lang]
        if not pool:
            per_lang[lang].append((0.0, 0.0, 0.0))
            continue
        texts = [s.text for s in pool]
        order = rank(sentence_terms, title_terms, params, texts=texts, budget=budget) if len(texts) > 1 else [0]
        chosen = [texts[i] for i in pick(order, pool, item.article.text, lang, "pacsum", 3, budget, params=params,
                                         reach=3 + reach)]
        hits = sum(1 for s in chosen if is_reference(s, item.reference))
        recall = sum(1 for r in item.reference if is_reference(r, chosen)) / 3
        joiner = "" if lang == "zh" else " "
        r2 = rouge.f1(lang, joiner.join(chosen), joiner.join(item.reference))[1]
        per_lang[lang].append((hits / len(chosen) if chosen else 0.0, recall, r2))
    out = {}
    for lang, rows in per_lang.items():
        if not rows:
            continue
        for n, name in enumerate(("p", "r", "r2")):
            out[f"{lang}_{name}"] = statistics.mean(r[n] for r in rows)
    out["objective"] = statistics.mean(out[k] for k in out)
    return out


def _applied(change: dict[str, float | str], params: PacSumParams) -> dict[str, float]:
    return {k: getattr(params, k) + float(v) if isinstance(v, str) else v for k, v in change.items()}


def ablate(rouge: Rouge, batch: str = "1", per_batch: bool = False) -> None:
    """One row per variant; with `per_batch`, each batch's dev half in its own columns (precision /
    recall / ROUGE-2), so a gain carried by one batch's few articles shows as such."""
    batches = tuple(BATCHES) if per_batch else (batch,)
    prepared = {(language, b): prepare(language, b) for language in ("en", "zh") for b in batches}
    if per_batch:
        columns = [f"{language} batch {b}" for language in ("en", "zh") for b in batches]
        print(f"| variant (dev halves) | {' | '.join(columns)} |")
        print("|---" * (len(columns) + 1) + "|")
    else:
        print("| variant (dev half) | en precision | en recall | en ROUGE-2 | zh precision | zh recall | zh ROUGE-2 |")
        print("|---|---:|---:|---:|---:|---:|---:|")
    for label, change in ABLATIONS:
        cells = []
        for language in ("en", "zh"):
            for b in batches:
                params = dataclasses.replace(PARAMS[language], **_applied(change, PARAMS[language]))
                result = evaluate(prepared[(language, b)], params, 0, rouge)
                numbers = [f"{result[f'{language}_{k}']:.3f}" for k in ("p", "r", "r2")]
                cells += [" / ".join(numbers)] if per_batch else numbers
        print(f"| {label} | {' | '.join(cells)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--language", choices=("en", "zh"), help="tune one language's weights (default: both at once)")
    parser.add_argument("--ablate", action="store_true", help="print what each part of the shipped ranking is worth")
    parser.add_argument("--batch", choices=(*BATCHES, "all"), default="1",
                        help="which labelled batch's dev half (default 1, as the published tables)")
    parser.add_argument("--per-batch", action="store_true", help="with --ablate: each batch's dev half apart")
    args = parser.parse_args()
    rouge = Rouge()
    if args.ablate:
        ablate(rouge, args.batch, args.per_batch)
        return
    prepared = prepare(args.language, args.batch)
    rng = random.Random(args.seed)
    start = PARAMS[args.language] if args.language else PacSumParams()
    default = evaluate(prepared, start, 0, rouge)
    print("default", {k: round(v, 3) for k, v in default.items()})
    best = (default["objective"], start, 0, default)
    for _ in range(args.trials):
        if rng.random() < 0.5:  # around the best so far: change two weights
            values = dataclasses.asdict(best[1])
            for key in rng.sample(sorted(SPACE), 2):
                values[key] = rng.choice(SPACE[key])
            reach = best[2] if rng.random() < 0.7 else rng.choice(REACH)
        else:
            values = {k: rng.choice(v) for k, v in SPACE.items()}
            reach = rng.choice(REACH)
        params = PacSumParams(**{**dataclasses.asdict(PacSumParams()), **values})
        result = evaluate(prepared, params, reach, rouge)
        if result["objective"] > best[0]:
            best = (result["objective"], params, reach, result)
            print(f"{result['objective']:.4f} reach={reach}", {k: round(v, 3) for k, v in result.items()})
            print("   ", params)
    print("best", best[1], "reach", best[2])


if __name__ == "__main__":
    main()
