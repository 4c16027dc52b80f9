"""Words for scoring, and the sumy tokenizer adapter: jieba for Chinese, a regex for Latin text.

sumy's own `Tokenizer("english")` needs NLTK's punkt data from the network, and its Chinese one
drops text after the last 。 and every token with a digit ("V6"); this adapter avoids both.
jieba and snowballstemmer are imported on first use so that `digest --help` stays fast.
"""

from __future__ import annotations

import importlib
import logging
import re
import tempfile
import warnings
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from ..models import language_of
from .sentences import CJK, has_cjk, split_sentences
from .stopwords import stop_words

_LATIN_WORD = re.compile(r"[^\W_]+(?:[.,'’\-][^\W_]+)*")
_WORDLIKE = re.compile(r"[^\W_]")
_CJK_RUN = re.compile(f"[{CJK}]+")
_cache_dir: Path | None = None


def set_cache_dir(path: Path | None) -> None:
    """Where jieba keeps its dictionary cache (default: the system temp folder)."""
    global _cache_dir
    _cache_dir = path
    if _jieba.cache_info().currsize:
        _jieba().dt.tmp_dir = _usable_dir(path)


def rough_words(text: str) -> list[str]:
    """Cheap tokens for sizing and ranking a long article before the real tokenizer runs:
    lower-cased Latin words, and Chinese as character bigrams (no jieba)."""
    out = [w.lower() for w in _LATIN_WORD.findall(_CJK_RUN.sub(" ", text))]
    for run in _CJK_RUN.findall(text):
        out.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    return out


def words(text: str) -> list[str]:
    """Word tokens as they stand (case kept), punctuation dropped, digits kept."""
    if has_cjk(text):
        return [w for w in (t.strip() for t in _jieba().lcut(text)) if w and _WORDLIKE.search(w)]
    return _LATIN_WORD.findall(text)


def terms(text: str, language: str) -> list[str]:
    """Content terms for similarity: lower-cased, stemmed (English), stop words removed."""
    stop = stop_words(language) | stop_words("en")
    stem = _stemmer()
    out: list[str] = []
    for word in words(text):
        lower = word.lower()
        if lower in stop or (len(lower) == 1 and lower.isascii()):
            continue
        out.append(stem(lower) if lower.isascii() and lower.isalpha() else lower)
    return out


def stem(word: str) -> str:
    """Snowball English stem of a lower-cased word (memoised; also handed to sumy's summarizers)."""
    return _stemmer()(word)


class SumyTokenizer:
    """What sumy's summarizers and parsers call: `to_sentences(paragraph)`, `to_words(sentence)`."""

    def __init__(self, language: str) -> None:
        self.language = "chinese" if language_of(language) == "zh" else "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s.text for s in split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))


def _usable_dir(path: Path | None) -> str:
    if path is not None:
        try:
            path.mkdir(parents=True, exist_ok=True)
            return str(path)
        except OSError:
            pass
    return tempfile.gettempdir()


@cache
def _jieba() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports the deprecated pkg_resources
        import jieba
    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.dt.tmp_dir = _usable_dir(_cache_dir)
    return jieba


@cache
def _stemmer() -> Callable[[str], str]:
    """The Snowball English stemmer: from `snowballstemmer` (imports in 40 ms), else from NLTK
    (the same algorithm, but importing NLTK takes seconds where SciPy is installed)."""
    try:
        stem: Callable[[str], str] = importlib.import_module("snowballstemmer").stemmer("english").stemWord
    except ImportError:
        stem = importlib.import_module("nltk.stem.snowball").SnowballStemmer("english").stem
    # Both are pure Python and slow per call, and an article repeats its words.
    return lru_cache(maxsize=1 << 16)(stem)
