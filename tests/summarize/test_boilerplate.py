"""Boilerplate (bylines, share prompts, reprint notices, trailers) is never chosen."""

from __future__ import annotations

import pytest

from digest.summarize import ALGORITHMS, summarize
from digest.summarize.boilerplate import is_boilerplate, trailer_start
from digest.summarize.sentences import split_sentences
from tests.support import paths

DATA = paths.DATA / "summaries" / "boilerplate"


def _lines() -> list[tuple[bool, str]]:
    rows = []
    for line in (DATA / "lines.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append((line[0] == "B", line[2:]))
    return rows


@pytest.mark.parametrize(("expected", "sentence"), _lines())
def test_line_table(expected: bool, sentence: str) -> None:
    assert is_boilerplate(sentence) is expected


def _article(name: str) -> tuple[str, str, str]:
    header, body = (DATA / name).read_text(encoding="utf-8").split("\n\n", 1)
    meta = dict(line.split(": ", 1) for line in header.splitlines())
    return meta["title"], meta["language"], body


@pytest.mark.parametrize("name", ["press-release.txt", "portal.txt"])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_never_chosen_by_any_algorithm(name: str, algorithm: str) -> None:
    title, language, body = _article(name)
    # Boilerplate in these fixtures repeats the article's key words, so a ranker would like it.
    summary = summarize(body, title=title, language=language, sentences=3, max_chars=10_000, algorithm=algorithm)
    assert summary.sentences
    for sentence in summary.sentences:
        assert not is_boilerplate(sentence), sentence
        assert "Halvorsen Foods Inc. is a leading" not in sentence  # after the "About" trailer heading
        assert "forward-looking" not in sentence
        assert "《" not in sentence  # the 相关阅读 list


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["News one.", "News two.", "News three.", "About Acme Corp", "Acme makes things."], 3),
        (["新闻一。", "新闻二。", "新闻三。", "相关阅读：", "《另一篇文章》"], 3),
        (["About the bug", "It crashed.", "We fixed it.", "Thanks."], None),  # a heading at the top is content
        (["One.", "Two.", "Forward-Looking Statements", "This release contains statements."], 2),
        # html/article/trafilatura/knowtechie.com.rally.html: related headlines under this heading
        (["Rocket Pass 4 will begin on August 28.", "It will run you 10 keys.", "Editors’ Recommendations:",
          "- Crates are leaving Rocket League and the trading community is scrambling"], 2),
        (["新闻一。", "新闻二。", "猜你喜欢", "另一家公司发布新款手机 芯片行业迎来新一轮投资热潮"], 2),
    ],
)
def test_trailer_headings(lines: list[str], expected: int | None) -> None:
    sentences = split_sentences("\n".join(lines))
    assert trailer_start([s.text for s in sentences], [s.terminated for s in sentences]) == expected
