"""A sanity check, not a quality measure: what the default picks on the corpus's plain hard-news pages.

    python -m bench.quality.summarize_news_check

Issue 16 warns that on plain news (wire and newspaper reports) reference extracts favour central,
content-bearing sentences, while our own labelled set rewards position more.  With no labels here,
this only describes the picks, per algorithm, on 18 English hard-news article pages of
../shared/corpus: agreement with sumy's TextRank (share of the blurb's sentences TextRank's blurb
also holds), the centrality of the chosen sentences (their percentile in TextRank's undirected
ranking of the same candidates: 1.0 = the most central), sentences per blurb, their length, and
what the 320-character budget does: in how many articles a top-three sentence was passed over
because it did not fit, and in how many a lower-ranked shorter sentence took its place.
"""

from __future__ import annotations

import argparse
import statistics

from bench.quality.summarize_real import pin_hash_seed
from digest.summarize import CANDIDATE_CAP, DEFAULT_MAX_CHARS, Sentence, pick
from digest.summarize.algorithms import Unit, rank
from digest.summarize.candidates import candidates
from tests.support.summaries_set import Article, corpus_root, page_article

HARD_NEWS = (
    "html/article/trafilatura/reuters.com.parasite.html", "html/article/newspaper/reuters.com3.html",
    "html/article/newspaper/cnn_article.html", "html/article/newspaper/bloomberg.com1.html",
    "html/article/newspaper/huffingtonpost.com1.html", "html/article/trafilatura/theguardian.com.academics.html",
    "html/article/trafilatura/vancouversun.com.microsoft.html", "html/article/trafilatura/politico.com.retirement.html",
    "html/article/trafilatura/nature.com.telescope.html", "html/article/trafilatura/phys.org.tool.html",
    "html/article/trafilatura/threatpost.com.android.html", "html/article/trafilatura/vice.com.amazon.html",
    "html/article/trafilatura/latimes.com.bloomberg.html", "html/article/newspaper/foxnews.com1.html",
    "html/article/newspaper/globalnews.ca1.html", "html/article/trafilatura/cbsnews.com.carolina.html",
    "html/article/trafilatura/nytimes.com.blackouts.html", "html/article/trafilatura/scmp.com.playbook.html",
)
BUDGET = DEFAULT_MAX_CHARS["en"]


def describe(articles: list[tuple[Article, list[Sentence]]], algorithm: str) -> dict[str, float]:
    agree, centrality, counts, lengths, first = [], [], [], [], []
    passed_over = filled = 0
    for page, pool in articles:
        title, units = page.title, [Unit(s.text, s.paragraph) for s in pool]
        central = rank("textrank", units, title, "en")
        reference = set(pick(central, pool, page.text, "en", "textrank", 3, BUDGET))
        order = rank(algorithm, units, title, "en", BUDGET)
        chosen = pick(order, pool, page.text, "en", algorithm, 3, BUDGET)
        texts = [s.text for s in pool]
        place = {index: r for r, index in enumerate(central)}
        agree.append(len(reference & set(chosen)) / len(chosen))
        centrality.append(statistics.mean(1 - place[i] / max(len(units) - 1, 1) for i in chosen))
        counts.append(len(chosen))
        lengths.extend(len(texts[i]) for i in chosen)
        first.append(0 in chosen)
        skipped = [r for r, index in enumerate(order[:3]) if index not in chosen]
        passed_over += bool(skipped)
        filled += bool(skipped) and any(order.index(i) > min(skipped) for i in chosen)
    return {"agree": statistics.mean(agree), "centrality": statistics.mean(centrality),
            "sentences": statistics.mean(counts), "chars": statistics.mean(lengths),
            "first": statistics.mean(first), "passed_over": passed_over, "filled": filled}


def main() -> None:
    pin_hash_seed("bench.quality.summarize_news_check")  # its LSA row too
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algorithms", default="pacsum,lead,lexrank,textrank,lsa,luhn,edmundson")
    args = parser.parse_args()
    root = corpus_root()
    if root is None:
        raise SystemExit("../shared/corpus is not beside the checkout: nothing to describe")
    articles = []
    for key in HARD_NEWS:
        page = page_article(root, key)
        if page is None:
            continue
        pool = candidates(page.text, page.title, "en", CANDIDATE_CAP["pacsum"])
        if len(pool) > 1:
            articles.append((page, pool))
    print(f"\n{len(articles)} English hard-news pages, 3 sentences, max_chars {BUDGET}; not a quality measure\n")
    print("| algorithm | agreement with TextRank | centrality percentile | sentences | chars | has the first "
          "| top-3 passed over | shorter filler |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for algorithm in args.algorithms.split(","):
        d = describe(articles, algorithm)
        print(f"| {algorithm} | {d['agree']:.2f} | {d['centrality']:.2f} | {d['sentences']:.2f} | {d['chars']:.0f} "
              f"| {d['first']:.2f} | {d['passed_over']} | {d['filled']} |")


if __name__ == "__main__":
    main()
