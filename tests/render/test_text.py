"""The plaintext part: golden files, 72-column wrapping with CJK as two columns, times and the report line."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from digest.models import Digest, SourceResult
from digest.render import render_text
from digest.render.view import run_report
from digest.render.wrap import text_width, wrap
from tests.support import paths
from tests.support import sample_digests as fixture

DATA = paths.DATA / "render"




@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("digest-en.txt", lambda: fixture.big_digest(archive_url="https://me.github.io/digest")),
        ("digest-zh.txt", fixture.chinese_digest),
    ],
)
def test_plaintext_matches_golden_file(name: str, build: object) -> None:
    """A reviewer sees every change to the plaintext as a diff; DIGEST_UPDATE_GOLDEN=1 rewrites the files."""
    assert callable(build)
    text = render_text(build())
    golden = DATA / name
    if os.environ.get("DIGEST_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), (
        f"plaintext differs from {golden}; DIGEST_UPDATE_GOLDEN=1 to accept"
    )


@pytest.mark.parametrize("build", [fixture.big_digest, fixture.chinese_digest])
def test_every_line_fits_72_columns_unless_it_is_one_url(build: object) -> None:
    assert callable(build)
    digest: Digest = build()
    for line in render_text(digest).splitlines():
        if text_width(line) > 72:  # only a URL, which is never cut, may stick out
            assert any("://" in word for word in line.split()), line


def test_plaintext_carries_every_item_and_its_also_sources() -> None:
    digest = fixture.big_digest()
    text = render_text(digest)
    for item in digest.items:
        assert item.url in text
        for ref in item.also:
            # the link on a line of its own, never split: terminal mail clients can click it
            assert f"{ref.source}\n    <{ref.url}>\n" in text
    assert "In this issue" in text
    assert "2 sources failed: Slow Wire (timeout), Gone Blog (HTTP 404, failing for 3 days)" in text.replace("\n", " ")


def test_unsubscribe_url_replaces_the_default_text() -> None:
    text = render_text(fixture.chinese_digest(), unsubscribe_url="https://example.com/u/abc")
    assert "退订: https://example.com/u/abc" in text
    assert "请回复" not in text


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("a" * 10, 1, 10),
        ("中文", 1, 4),
        ("ｆｕｌｌ", 1, 8),  # fullwidth Latin
        ("e\u0301", 1, 1),  # combining accent takes no column
    ],
)
def test_text_width_counts_wide_characters_twice(text: str, width: int, expected: int) -> None:
    assert text_width(text) == expected * width


@pytest.mark.parametrize(
    ("paragraph", "forbidden_line_start"),
    [
        ("中" * 35 + "，" + "文" * 30, "，"),
        ("中" * 35 + "。" + "文" * 30, "。"),
        ("中" * 35 + "）" + "文" * 30, "）"),
    ],
)
def test_chinese_punctuation_never_starts_a_line(paragraph: str, forbidden_line_start: str) -> None:
    lines = wrap(paragraph, 72).splitlines()
    assert len(lines) == 2
    assert all(text_width(line) <= 72 for line in lines)
    assert not lines[1].startswith(forbidden_line_start)


def test_long_words_are_cut_but_urls_are_not() -> None:
    url = "https://example.com/" + "x" * 100
    lines = wrap(f"see {url} and {'y' * 100}", 72, indent="  ").splitlines()
    assert f"  {url}" in lines
    assert all(text_width(line) <= 72 for line in lines if url not in line)
    assert "".join(line.strip() for line in lines if "y" in line).endswith("y" * 100)


NOW = datetime(2024, 6, 3, 7, 0, tzinfo=timezone(timedelta(hours=8)))


def _report_digest(sources: tuple[SourceResult, ...]) -> Digest:
    base = fixture.chinese_digest()
    return Digest(
        title=base.title,
        generated_at=base.generated_at,
        since=base.since,
        until=base.until,
        timezone=base.timezone,
        language="en",
        sections=base.sections[:1],
        sources=sources,
    )


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ((), "4 stories from 4 sources"),
        (
            (SourceResult("X", "https://x", "error", error="timeout"),),
            "4 stories from 4 sources · 1 source failed: X (timeout)",
        ),
        (
            (
                SourceResult("X", "https://x", "error", error="timeout", failing_days=1),
                SourceResult("Y", "https://y", "error", error="HTTP 404", failing_days=3),
                SourceResult("Z", "https://z", "not_modified"),
            ),
            "4 stories from 4 sources · nothing today from Z · "
            "2 sources failed: X (timeout), Y (HTTP 404, failing for 3 days)",
        ),
        ((SourceResult("W", "https://w", "error"),), "4 stories from 4 sources · 1 source failed: W (error)"),
    ],
)
def test_run_report_line(sources: tuple[SourceResult, ...], expected: str) -> None:
    assert run_report(_report_digest(sources)) == expected
