"""Features that only the whole pipeline can show: full text, the archive, the summary cache, dead sources."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

import digest.summarize
from digest import RunOptions, load_config, run
from digest.cli import app
from tests.support import paths
from tests.support.http import LocalServer

DATA = paths.DATA
NOW = "2024-06-05T12:00:00+00:00"


def teaser_feed(article_url: str) -> str:
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Small Blog</title><link>{article_url}</link>
<item><title>SQLite is enough for most side projects</title><link>{article_url}</link>
<pubDate>Wed, 05 Jun 2024 08:00:00 GMT</pubDate><description>A short teaser.</description></item>
</channel></rss>"""


def test_full_text_replaces_the_teaser_and_is_cached(http_server: LocalServer, write_config: Callable[[str], Path],
                                                      tmp_path: Path) -> None:
    article = http_server.add("/2024/06/sqlite.html", (DATA / "listing" / "article_en.html").read_bytes(),
                              content_type="text/html; charset=utf-8")
    feed = http_server.add("/feed.xml", teaser_feed(article))
    config = load_config(write_config(
        f"fetch:\n  allow_hosts: ['{http_server.base.removeprefix('http://')}']\n"
        f"sources:\n  - name: Blog\n    url: {feed}\n    full_text: true\n"
    ))
    result = run(config, RunOptions(out=tmp_path / "out", now=NOW))
    item = result.digest.items[0]
    assert "Write-ahead logging" in item.text and "A short teaser" not in item.summary
    assert any("single file" in s or "Write-ahead" in s for s in item.summary_sentences)
    assert "12 comments" not in item.text and "Privacy policy" not in item.text
    with sqlite3.connect(config.state) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles WHERE url = ?", (article,)).fetchone()[0] == 1


def test_full_text_never_reaches_loopback_unless_allowed(http_server: LocalServer, write_config: Callable[[str], Path],
                                                         tmp_path: Path) -> None:
    article = http_server.add("/2024/06/sqlite.html", (DATA / "listing" / "article_en.html").read_bytes(),
                              content_type="text/html; charset=utf-8")
    feed = http_server.add("/feed.xml", teaser_feed(article))
    config = load_config(write_config(f"sources:\n  - name: Blog\n    url: {feed}\n    full_text: true\n"))
    result = run(config, RunOptions(out=tmp_path / "out", now=NOW))
    assert result.digest.items[0].text == "A short teaser."
    assert http_server.statuses("/2024/06/sqlite.html") == []  # the page was never requested


def test_archive_and_view_in_browser_link(http_server: LocalServer, write_config: Callable[[str], Path],
                                          tmp_path: Path) -> None:
    feed = http_server.add("/feed.xml", (DATA / "core" / "tech.rss.xml").read_bytes())
    config_path = write_config(
        "archive_url: https://me.example.io/digest/\n"
        f"sources:\n  - name: Tech\n    url: {feed}\n"
    )
    site = tmp_path / "site"
    result = CliRunner().invoke(app, ["run", "--config", str(config_path), "--out", str(tmp_path / "out"),
                                      "--now", NOW, "--archive", str(site), "--quiet"])
    assert result.exit_code == 0, result.output
    assert {"2024-06-05.html", "index.html", "feed.xml"} <= {p.name for p in site.iterdir()}
    html = (tmp_path / "out" / "digest.html").read_text(encoding="utf-8")
    assert 'href="https://me.example.io/digest/2024-06-05.html"' in html
    assert "2024-06-05.html" in (site / "index.html").read_text(encoding="utf-8")
    assert "<feed" in (site / "feed.xml").read_text(encoding="utf-8")


def test_summaries_are_cached_by_content(http_server: LocalServer, write_config: Callable[[str], Path],
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = http_server.add("/feed.xml", (DATA / "core" / "tech.rss.xml").read_bytes())
    # history off, so the second run selects the same items again and must reuse their summaries
    config = load_config(write_config(f"dedup:\n  history_days: 0\nsources:\n  - name: Tech\n    url: {feed}\n"))
    calls: list[str] = []
    real = digest.summarize.summarize

    def counting(text: str, **kwargs: object) -> digest.summarize.Summary:
        calls.append(text)
        return real(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(digest.summarize, "summarize", counting)
    first = run(config, RunOptions(out=tmp_path / "a", now=NOW))
    assert len(calls) == first.digest.stats.selected >= 2
    second = run(config, RunOptions(out=tmp_path / "b", now="2024-06-05T12:05:00+00:00"))
    assert second.digest.stats.selected == first.digest.stats.selected
    assert len(calls) == first.digest.stats.selected  # nothing summarised twice
    assert [i.summary for i in second.digest.items] == [i.summary for i in first.digest.items]


def test_check_lists_sources_failing_for_a_week(http_server: LocalServer, write_config: Callable[[str], Path],
                                                tmp_path: Path) -> None:
    good = http_server.add("/feed.xml", (DATA / "core" / "tech.rss.xml").read_bytes())
    config_path = write_config(
        f"sources:\n  - name: Tech\n    url: {good}\n  - name: Gone\n    url: {http_server.url('/gone.xml')}\n"
    )
    for day in ("2024-06-01", "2024-06-03", "2024-06-05"):
        run(load_config(config_path), RunOptions(out=tmp_path / day, now=f"{day}T12:00:00+00:00"))
    result = CliRunner().invoke(app, ["check", "--config", str(config_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "Gone" in line and "failing for" in line)
    assert "HTTP 404" in line and "Tech" not in line
