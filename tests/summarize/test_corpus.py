"""Real article pages from ../shared/corpus: every one is summarised within the contract.

Text comes from trafilatura (what the pipeline's full-text step uses); the test checks the
invariants on real-world text (captions, bylines, headings, mixed scripts), not quality.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.summarize import DEFAULT_MAX_CHARS, summarize
from digest.summarize.boilerplate import is_boilerplate
from digest.summarize.sentences import split_sentences
from tests.support import paths

CORPUS = paths.CORPUS / "html" / "article"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _pages() -> list[Path]:
    return sorted(CORPUS.glob("*/*.html")) if CORPUS.is_dir() else []


def _holds(sentence: str, chosen: str) -> bool:
    rest = iter(sentence)
    return all(c in rest for c in chosen.removesuffix("…"))


@pytest.mark.skipif(not _pages(), reason="../shared/corpus is not checked out next to the project")
def test_corpus_articles(capsys: pytest.CaptureFixture[str]) -> None:
    import trafilatura

    summarised = extracted = 0
    for page in _pages():
        text = trafilatura.extract(page.read_bytes()) or ""
        if not text.strip():
            continue
        extracted += 1
        language = "zh" if len(_CJK.findall(text)) > 0.2 * len(text) else "en"
        first_line = text.splitlines()[0]
        title = first_line if len(first_line) < 120 and len(text.splitlines()) > 1 else ""  # the headline, if any
        text = text.replace("\n", "\n\n")  # trafilatura gives one paragraph per line
        summary = summarize(text, title=title, language=language)
        sentences = [s.text for s in split_sentences(text)]
        # each chosen sentence is a sentence of the text, or one with furniture (a dateline, a
        # stock quote) cut off: the first sentence after the previous one that holds its words
        position = -1
        for chosen in summary.sentences:
            position = next(i for i in range(position + 1, len(sentences)) if _holds(sentences[i], chosen))
        assert len(summary.text) <= DEFAULT_MAX_CHARS[language], page.name
        assert not any(is_boilerplate(s) for s in summary.sentences), page.name
        summarised += bool(summary.sentences)
    with capsys.disabled():
        print(f"\nsummarised {summarised} of {extracted} corpus pages with text ({len(_pages())} pages)")
    assert summarised >= extracted - 1
