"""Stop words from the lists sumy ships (read as data, so sumy's summarizers are not imported)."""

from __future__ import annotations

from functools import cache
from importlib import resources

_FILES = {"en": "english.txt", "zh": "chinese.txt"}


@cache
def stop_words(language: str) -> frozenset[str]:
    """Lower-cased stop words for "en" or "zh" (anything else gets the English list)."""
    name = _FILES.get(language, "english.txt")
    data = resources.files("sumy").joinpath("data", "stopwords", name).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in data.splitlines() if line.strip())
