"""Issue 17: items dated to a day (no time) belong to that whole day, and dates are shown absolute."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from digest.cli import app
from digest.dates import format_when
from digest.models import Item
from digest.select import in_window
from tests.support.http import LocalServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")

LISTING = """<!doctype html><html><head><meta charset="utf-8"><title>国内新闻</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="/guonei/">国内</a> <a href="/guoji/">国际</a></div>
<ul class="news-list">
  <li><h3><a href="/a/0606-1.html">今天早上发布的城市更新政策解读全文</a></h3><p>清晨发布的政策文件摘要。</p><span class="date">2024年6月6日</span></li>
  <li><h3><a href="/a/0605-late.html">昨晚举行的新闻发布会介绍了夏粮收购进展</a></h3><p>晚间发布会的内容摘要。</p><span class="date">2024年6月5日 20:30</span></li>
  <li><h3><a href="/a/0605-1.html">多地出台措施支持夜间经济发展的最新情况</a></h3><p>各地夜间经济政策梳理。</p><span class="date">2024年6月5日</span></li>
  <li><h3><a href="/a/0605-2.html">暑期文旅市场预订量同比明显增长的原因分析</a></h3><p>文旅市场数据分析。</p><span class="date">2024年6月5日</span></li>
  <li><h3><a href="/a/0604-1.html">前天发布的关于高校毕业生就业工作的通知</a></h3><p>就业工作通知要点。</p><span class="date">2024年6月4日</span></li>
</ul>
<div class="footer"><a href="/about">关于我们</a></div>
</body></html>"""


def test_scheduled_morning_run_holds_yesterdays_date_only_items(
    http_server: LocalServer, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    """08:00 the next morning, since 24h: yesterday's date-only items are in, the day before is out."""
    url = http_server.add("/guonei/", LISTING.encode("utf-8"), content_type="text/html; charset=utf-8")
    config = write_config(
        f"title: 早报\ntimezone: Asia/Shanghai\nsince: 24h\nsources:\n"
        f"  - name: 某资讯站\n    url: {url}\n    type: listing\n"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--out", str(out),
                                      "--now", "2024-06-06T08:00:00+08:00", "--quiet"])
    assert result.exit_code == 0, result.output
    doc = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    items = [item for section in doc["sections"] for item in section["items"]]
    assert [i["url"].rsplit("/", 1)[1] for i in items] == [
        "0606-1.html", "0605-late.html", "0605-1.html", "0605-2.html"]  # newest first, the day's items together
    by_name = {i["url"].rsplit("/", 1)[1]: i for i in items}
    assert by_name["0605-1.html"]["published"] == "2024-06-05T00:00:00+08:00"
    assert by_name["0605-1.html"]["time_known"] is False and by_name["0605-1.html"]["dated"] is True
    assert "time_known" not in by_name["0605-late.html"]  # the key is there only when the time is not
    assert doc["schema"] == 1

    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert "某资讯站 · 6月5日\n" in text and "某资讯站 · 6月5日 20:30\n" in text
    assert "00:00" not in text
    html = (out / "digest.html").read_text(encoding="utf-8")
    assert "6月5日 20:30" in html and "00:00" not in html


def _item(published: datetime, *, time_known: bool) -> Item:
    return Item(id="x", url="https://example.com/x", title="x", source="s", section="s",
                published=published, dated=True, language="zh", text="", time_known=time_known)


def sh(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 6, day, hour, tzinfo=SHANGHAI)


MORNING = (sh(5, 8), sh(6, 8))  # a 24 h window ending 08:00 on 6 June in Shanghai


@pytest.mark.parametrize(
    ("published", "time_known", "window", "inside"),
    [
        (sh(5), False, MORNING, True),  # yesterday's day overlaps the window
        (sh(4), False, MORNING, False),
        (sh(7), False, MORNING, False),  # a day that starts after the window ends
        (sh(5), True, MORNING, False),  # the same as 00:00 with a known time is 32 hours old
        # the source's day, not the digest's: 5 June in New York runs to 04:00 UTC on the 6th
        (datetime(2024, 6, 5, tzinfo=NEW_YORK), False, (datetime(2024, 6, 6, 3, tzinfo=UTC), sh(7, 11)), True),
        (datetime(2024, 6, 5, tzinfo=NEW_YORK), False, (datetime(2024, 6, 6, 4, tzinfo=UTC), sh(7, 12)), False),
    ],
)
def test_in_window(published: datetime, time_known: bool, window: tuple[datetime, datetime], inside: bool) -> None:
    assert in_window(_item(published, time_known=time_known), *window) is inside


@pytest.mark.parametrize(
    ("moment", "time_known", "language", "expected"),
    [
        (datetime(2024, 6, 5, 12, 30, tzinfo=UTC), True, "zh", "6月5日 20:30"),
        (datetime(2024, 6, 5, 12, 30, tzinfo=UTC), True, "en", "5 Jun 20:30"),
        (datetime(2023, 12, 31, 12, 30, tzinfo=UTC), True, "zh", "2023年12月31日 20:30"),
        (datetime(2023, 12, 31, 12, 30, tzinfo=UTC), True, "en", "31 Dec 2023 20:30"),
        (datetime(2024, 6, 5, tzinfo=SHANGHAI), False, "zh", "6月5日"),
        (datetime(2024, 6, 5, tzinfo=SHANGHAI), False, "en", "5 Jun"),
        # a day is its source's day, even when the digest's zone would put 00:00 on the day before
        (datetime(2024, 6, 5, tzinfo=SHANGHAI), False, "en-GB", "5 Jun"),
        (datetime(2023, 6, 5, tzinfo=NEW_YORK), False, "zh", "2023年6月5日"),
    ],
)
def test_format_when(moment: datetime, time_known: bool, language: str, expected: str) -> None:
    assert format_when(moment, time_known=time_known, language=language, tz=SHANGHAI if language != "en-GB" else UTC,
                       year=2024) == expected
