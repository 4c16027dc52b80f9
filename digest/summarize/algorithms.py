"""Ranking the candidate sentences: Lead, PacSum, and sumy's summarizers behind one signature.

Every ranker returns all candidate indices, best first, so the blurb can fall back to the next
sentence when one does not fit the character budget.  sumy hands its sorted ratings to a callable
`sentences_count`, which is how its full ranking is read here without touching its internals.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

from ..config import Algorithm
from ..models import language_of
from .stopwords import stop_words
from .tokenizer import SumyTokenizer, stem, terms

if TYPE_CHECKING:
    from .pacsum import PacSumParams

# the rankers are the algorithms feeds.yaml names (config.Algorithm), except "auto", which picks one of them
ALGORITHMS: tuple[str, ...] = tuple(name for name in get_args(Algorithm) if name != "auto")
SUMY_ALGORITHMS = tuple(name for name in ALGORITHMS if name not in ("pacsum", "lead"))

# Edmundson's cue method needs cue words; the title's words are added per article.
_BONUS = {
    "en": ("announced", "said", "new", "first", "will", "found", "reported", "according"),
    "zh": ("宣布", "发布", "表示", "首次", "显示", "获悉", "消息", "将"),
}
_STIGMA = {
    "en": ("subscribe", "click", "newsletter", "copyright", "advertisement", "follow", "share", "comment"),
    "zh": ("点击", "关注", "转载", "声明", "版权", "订阅", "扫码", "广告"),
}


@dataclass(frozen=True)
class Unit:
    """A candidate sentence with where it stands (paragraph numbers feed Edmundson's location method)."""

    text: str
    paragraph: int


def rank(algorithm: str, units: Sequence[Unit], title: str, language: str, budget: int = 0) -> list[int]:
    """All unit indices, best first (`budget`: the blurb's characters, which PacSum weighs length by)."""
    if algorithm == "lead" or len(units) <= 1:
        return list(range(len(units)))
    if algorithm == "pacsum":
        from .pacsum import PARAMS
        from .pacsum import rank as pacsum_rank  # numpy: imported on first use

        return pacsum_rank([terms(u.text, language) for u in units], terms(title, language),
                           PARAMS[language_of(language)], texts=[u.text for u in units], budget=budget)
    if algorithm in SUMY_ALGORITHMS:
        return _sumy_rank(algorithm, units, title, language)
    raise ValueError(f"unknown summary algorithm {algorithm!r} (expected one of {', '.join(ALGORITHMS)})")


def dependents(algorithm: str, texts: Sequence[str], language: str,
               params: PacSumParams | None = None) -> tuple[set[int], set[int]]:
    """For the default ranker, the sentences that cannot stand alone in a blurb (blurb.choose):
    those that lean on an earlier sentence ("It is…", "But…", "There is…") and those that
    introduce the next one (ending in a colon: "…the following lines:", "…如下图所示：").
    `params`: PacSum's settings in place of the shipped ones (bench/tune/summarize_real.py)."""
    if algorithm != "pacsum":
        return set(), set()
    from .cues import introducing_sentences, leaning_sentences
    from .pacsum import PARAMS

    params = params or PARAMS[language_of(language)]
    return (leaning_sentences(texts) if params.coherent else set(),
            introducing_sentences(texts) if params.introduce else set())


def _sumy_rank(algorithm: str, units: Sequence[Unit], title: str, language: str) -> list[int]:
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = SumyTokenizer(language)
    sentences = [Sentence(u.text, tokenizer) for u in units]
    paragraphs: list[Any] = []
    heading = [Sentence(title, tokenizer, is_heading=True)] if title.strip() else []
    group: list[Any] = list(heading)
    for index, unit in enumerate(units):
        if index and unit.paragraph != units[index - 1].paragraph and group:
            paragraphs.append(Paragraph(group))
            group = []
        group.append(sentences[index])
    paragraphs.append(Paragraph(group))
    document = ObjectDocumentModel(paragraphs)

    ranked: list[int] = []
    position = {id(s): i for i, s in enumerate(sentences)}

    def capture(infos: list[Any]) -> list[Any]:
        ranked.extend(position[id(info.sentence)] for info in infos)
        return infos

    summarizer = _summarizer(algorithm, language, title)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LSA warns when there are fewer words than sentences
        summarizer(document, capture)
    seen = set(ranked)
    return ranked + [i for i in range(len(units)) if i not in seen]


def _summarizer(algorithm: str, language: str, title: str) -> Callable[[Any, Any], Any]:
    from sumy.nlp.stemmers import null_stemmer

    lang = language_of(language)
    stemmer: Callable[[str], str] = stem if lang != "zh" else null_stemmer
    stops = stop_words(lang)
    summarizer: Any
    if algorithm == "lexrank":
        from sumy.summarizers.lex_rank import LexRankSummarizer

        summarizer = LexRankSummarizer(stemmer)
    elif algorithm == "textrank":
        from sumy.summarizers.text_rank import TextRankSummarizer

        summarizer = TextRankSummarizer(stemmer)
    elif algorithm == "lsa":
        summarizer = _ordered_lsa()(stemmer)
    elif algorithm == "luhn":
        from sumy.summarizers.luhn import LuhnSummarizer

        summarizer = LuhnSummarizer(stemmer)
    elif algorithm == "kl":
        from sumy.summarizers.kl import KLSummarizer

        summarizer = KLSummarizer(stemmer)
    elif algorithm == "sumbasic":
        from sumy.summarizers.sum_basic import SumBasicSummarizer

        summarizer = SumBasicSummarizer(stemmer)
    else:
        from sumy.summarizers.edmundson import EdmundsonSummarizer

        summarizer = EdmundsonSummarizer(stemmer)
        title_words = [w.lower() for w in SumyTokenizer(lang).to_words(title) if w.lower() not in stops]
        summarizer.bonus_words = (*_BONUS[lang], *title_words)
        summarizer.stigma_words = _STIGMA[lang]
        summarizer.null_words = stops
    if algorithm != "edmundson":
        summarizer.stop_words = stops
    return summarizer  # type: ignore[no-any-return]


@functools.cache
def _ordered_lsa() -> type:
    """sumy's LSA with its term rows numbered in sorted order.

    sumy 0.13 numbers the rows in the order of a frozenset, which follows the process's string hashing;
    when sentences score alike (a tie in the SVD), the same article got another blurb in the next run.
    A subclass overriding that one method (sumy is pinned below 0.14 for it), not a patch of sumy.
    """
    from sumy.summarizers.lsa import LsaSummarizer

    class OrderedLsa(LsaSummarizer):  # type: ignore[misc]
        def _create_dictionary(self, document: Any) -> dict[str, int]:
            words = map(self.normalize_word, document.words)
            unique = sorted({self.stem_word(w) for w in words if w not in self._stop_words})
            return {w: i for i, w in enumerate(unique)}

    return OrderedLsa
