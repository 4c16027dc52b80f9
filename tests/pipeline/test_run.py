"""End to end through a real local HTTP server and a real SQLite file: feeds in, digest out."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digest import RunOptions, load_config, preview, run
from digest.cli import app
from digest.errors import DigestError
from tests.support.core_feeds import DATA, config_text, serve_fixtures
from tests.support.http import LocalServer

NOW = "2024-06-05T12:00:00+00:00"


@pytest.fixture
def configured(http_server: LocalServer, write_config: Callable[[str], Path]) -> tuple[LocalServer, Path]:
    return http_server, write_config(config_text(serve_fixtures(http_server)))


def test_run_writes_three_files_and_reports_sources(configured: tuple[LocalServer, Path], tmp_path: Path) -> None:
    server, config_path = configured
    out = tmp_path / "out"
    result = run(load_config(config_path), RunOptions(out=out, now=NOW))
    assert sorted(p.name for p in out.iterdir()) == ["digest.html", "digest.json", "digest.txt"]

    doc = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    status = {s["name"]: (s["status"], s["error"]) for s in doc["sources"]}
    assert status["Tech"] == ("ok", None)
    assert status["Broken"][0] == "ok"  # ill-formed but readable: its entry is kept
    assert status["Missing"] == ("error", "HTTP 404 Not Found")
    assert status["Homepage"][0] == "error" and "HTML page" in status["Homepage"][1]

    items = {i["title"]: i for s in doc["sections"] for i in s["items"]}
    # the window: the May post and the June-3 evening note are older than 24 h
    assert "An old post about Perl" not in items
    assert "Notes on green tea" not in items
    assert "Unescaped ampersand & friends still parse" in items
    # exact dedup across sources: the syndicated Atom copy points at the same canonical URL
    rust = items["Rust 1.80 stabilises lazy cells"]
    assert rust["url"] == "https://tech.example.com/2024/06/rust-180"
    # Science carries the very same URL: the same item, so "also" does not repeat the link (issue 15)
    assert rust["also"] == []
    assert doc["stats"]["duplicates"] >= 1
    # relative link resolved against the feed document's URL (RFC 3986), fragment dropped
    assert items["SQLite adds JSONB storage"]["url"] == server.url("/2024/06/sqlite-jsonb")
    # GBK bytes decoded by the declared charset; language detected by script
    chinese = items["国产大模型发布新版本，推理速度提升一倍"]
    assert chinese["language"] == "zh" and chinese["published"] == "2024-06-05T01:30:00+01:00"
    assert chinese["summary"] and all(s in DATA.joinpath("chinese.gbk.xml").read_bytes().decode("gbk") for s in chinese["summary_sentences"])
    # markup in an Atom title becomes text
    assert "Telescope finds water vapour on a rocky exoplanet" in items
    # summary sentences are sentences of the item's own text
    assert rust["summary_sentences"] and rust["summary"]
    # sections follow config order; per-item section defaults to the source name
    assert [s["name"] for s in doc["sections"]] == ["Tech", "Science", "Notes", "Broken", "科技频道"]

    html = (out / "digest.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "javascript:" not in html.lower() and "onclick" not in html.lower()
    assert 'href="https://tech.example.com/2024/06/rust-180"' in html
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert "Rust 1.80 stabilises lazy cells" in text and "Science" in text
    assert result.failed == 2


def test_second_run_gets_304_and_selects_nothing_new(configured: tuple[LocalServer, Path], tmp_path: Path) -> None:
    server, config_path = configured
    config = load_config(config_path)
    first = run(config, RunOptions(out=tmp_path / "a", now=NOW))
    assert first.digest.stats.selected >= 6
    second = run(config, RunOptions(out=tmp_path / "b", now="2024-06-05T12:30:00+00:00"))
    assert server.statuses("/science.atom") == [200, 304]
    assert server.statuses("/notes.json") == [200, 304]
    assert second.digest.stats.selected == 0
    assert second.not_modified >= 2
    statuses = {s.name: s.status for s in second.digest.sources}
    assert statuses["Science"] == "not_modified"
    # the conditional request carried the stored validators
    science_requests = [h for p, _, h in server.log if p == "/science.atom"]
    assert science_requests[1].get("if-none-match") == '"sci-v1"'


def test_preview_writes_no_state(configured: tuple[LocalServer, Path]) -> None:
    _, config_path = configured
    config = load_config(config_path)
    result = preview(config, RunOptions(now=NOW))
    assert result.digest.stats.selected >= 6
    assert not config.state.exists()
    # and a real run afterwards still selects everything
    again = run(config, RunOptions(out=config_path.parent / "out", now=NOW))
    assert again.digest.stats.selected == result.digest.stats.selected


def test_state_unchanged_when_writing_outputs_fails(configured: tuple[LocalServer, Path], tmp_path: Path) -> None:
    _, config_path = configured
    config = load_config(config_path)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(DigestError, match=r"--out .*not-a-dir: cannot create the folder"):
        run(config, RunOptions(out=blocker, now=NOW))
    if config.state.exists():
        with sqlite3.connect(config.state) as conn:
            assert conn.execute("SELECT COUNT(*) FROM http_cache").fetchone()[0] == 0
    # nothing was remembered, so a good run selects everything
    result = run(config, RunOptions(out=tmp_path / "out", now=NOW))
    assert result.digest.stats.selected >= 6


def test_include_exclude_and_caps(http_server: LocalServer, write_config: Callable[[str], Path], tmp_path: Path) -> None:
    urls = serve_fixtures(http_server)
    text = config_text({k: urls[k] for k in ("Tech", "Science", "科技频道")})
    text = text.replace("since: 24h", "since: all\nper_source: 1\nexclude: ['(?i)perl']")
    text += "    include: ['汽车']\n"  # only for the last source
    config = load_config(write_config(text))
    result = run(config, RunOptions(out=tmp_path / "out", now=NOW))
    titles = [i.title for i in result.digest.items]
    assert "An old post about Perl" not in titles
    assert "新能源汽车销量创历史新高" in titles
    assert "国产大模型发布新版本，推理速度提升一倍" not in titles
    by_source: dict[str, int] = {}
    for item in result.digest.items:
        by_source[item.source] = by_source.get(item.source, 0) + 1
    assert max(by_source.values()) == 1


def test_cli_run_and_json_shape(configured: tuple[LocalServer, Path], tmp_path: Path) -> None:
    _, config_path = configured
    out = tmp_path / "cli-out"
    result = CliRunner().invoke(app, ["run", "--config", str(config_path), "--out", str(out), "--now", NOW, "--since", "24h"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert_schema_1(doc)


def test_cli_bad_since_is_one_line(configured: tuple[LocalServer, Path], tmp_path: Path) -> None:
    _, config_path = configured
    result = CliRunner().invoke(app, ["run", "--config", str(config_path), "--out", str(tmp_path), "--since", "fortnight"])
    assert result.exit_code == 2
    assert "--since: expected a duration" in result.output and "Traceback" not in result.output


def assert_schema_1(doc: dict[str, object]) -> None:
    """The documented digest.json shape (README, "digest.json")."""
    assert doc["schema"] == 1
    for key in ("title", "generated_at", "since", "until"):
        assert isinstance(doc[key], str)
    stats = doc["stats"]
    assert isinstance(stats, dict) and set(stats) >= {"fetched", "duplicates", "selected"}
    sections = doc["sections"]
    assert isinstance(sections, list)
    count = 0
    for section in sections:
        assert set(section) >= {"name", "items"}
        for item in section["items"]:
            count += 1
            assert set(item) >= {"id", "title", "url", "source", "section", "published", "language",
                                 "summary", "summary_sentences", "also"}
            assert isinstance(item["summary_sentences"], list)
            assert item["language"] in ("zh", "en")
            for also in item["also"]:
                assert set(also) >= {"title", "url", "source"}
    assert count == stats["selected"]
    sources = doc["sources"]
    assert isinstance(sources, list)
    for source in sources:
        assert set(source) >= {"name", "url", "status", "items", "error"}
        assert source["status"] in ("ok", "not_modified", "error")


UNDATED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Undated</title><link>https://u.example.com/</link>
<item><title>A page with no date</title><link>https://u.example.com/a</link><description>No pubDate here.</description></item>
</channel></rss>"""


def test_undated_items_keep_the_time_they_were_first_seen(http_server: LocalServer, write_config: Callable[[str], Path], tmp_path: Path) -> None:
    url = http_server.add("/undated.xml", UNDATED)
    config = load_config(write_config(f"since: 24h\nmax_items: 1\nsources:\n  - name: U\n    url: {url}\n"))
    # seen on day 1 but not sent (a preview), seen again on day 2 by a real run
    first = run(config, RunOptions(out=tmp_path / "d1", now="2024-06-01T08:00:00+00:00"))
    assert [(i.title, i.dated) for i in first.digest.items] == [("A page with no date", False)]
    doc = json.loads((tmp_path / "d1" / "digest.json").read_text())
    assert doc["sections"][0]["items"][0]["published"] == "2024-06-01T08:00:00+00:00"
    # two days later the same undated item is old news: outside a 24 h window, not "new" again
    later = preview(config, RunOptions(now="2024-06-03T08:00:00+00:00", since="all"))
    assert later.digest.stats.selected == 0  # already sent
    with sqlite3.connect(config.state) as conn:
        assert conn.execute("SELECT seen_at FROM first_seen").fetchone()[0] == 1717228800.0


def test_rerun_with_the_same_now_selects_nothing_new(configured: tuple[LocalServer, Path], tmp_path: Path) -> None:
    _, config_path = configured
    config = load_config(config_path)
    first = run(config, RunOptions(out=tmp_path / "a", now=NOW))
    again = run(config, RunOptions(out=tmp_path / "b", now=NOW))
    assert first.digest.stats.selected >= 6 and again.digest.stats.selected == 0
    with sqlite3.connect(config.state) as conn:  # recording the same digest twice does not duplicate it
        rows = conn.execute("SELECT COUNT(*) FROM history").fetchone()[0]
    assert rows == first.digest.stats.selected + sum(len(i.also) for i in first.digest.items)
