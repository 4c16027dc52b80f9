"""The human date parser: every form of issue 3, zones, the sanity range, and garbage."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import dates as dates_module
from digest.dates import has_ambiguous_zone, parse_date, read_date, resolve_feed_date

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
# Wednesday 5 June 2024, noon in Shanghai
NOW = datetime(2024, 6, 5, 12, 0, tzinfo=SHANGHAI)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


CASES: list[tuple[str, datetime | None]] = [
    # Chinese absolute forms
    ("2024年6月5日", sh(2024, 6, 5)),
    ("2024年06月05日 08:30", sh(2024, 6, 5, 8, 30)),
    ("2024年6月5日 08:30:15", sh(2024, 6, 5, 8, 30, 15)),
    ("2024年6月5日08时30分", sh(2024, 6, 5, 8, 30)),
    ("2024年6月5日 下午3:20", sh(2024, 6, 5, 15, 20)),
    ("2024年6月5号", sh(2024, 6, 5)),
    ("发布时间：2024年06月05日 08:30 来源：新华网", sh(2024, 6, 5, 8, 30)),
    # month and day only: this year, or last year when that day is still to come
    ("6月5日", sh(2024, 6, 5)),
    ("6月4日 09:15", sh(2024, 6, 4, 9, 15)),
    ("6月7日", sh(2023, 6, 7)),
    ("12月31日", sh(2023, 12, 31)),
    ("06-05 08:30", sh(2024, 6, 5, 8, 30)),
    # numeric forms
    ("2024-06-05 08:30", sh(2024, 6, 5, 8, 30)),
    ("2024-06-05", sh(2024, 6, 5)),
    ("2024/6/5", sh(2024, 6, 5)),
    ("2024/06/05 8:05", sh(2024, 6, 5, 8, 5)),
    ("2024.06.05", sh(2024, 6, 5)),
    ("２０２４－０６－０５ １２：００", sh(2024, 6, 5, 12)),
    ("来源：新华网 2024-06-04 21:07", sh(2024, 6, 4, 21, 7)),
    # relative, Chinese
    ("刚刚", NOW),
    ("剛剛", NOW),
    ("3小时前", NOW - timedelta(hours=3)),
    ("3 小时前", NOW - timedelta(hours=3)),
    ("半小时前", NOW - timedelta(minutes=30)),
    ("15分钟前", NOW - timedelta(minutes=15)),
    ("30秒前", NOW - timedelta(seconds=30)),
    ("2天前", NOW - timedelta(days=2)),
    ("1周前", NOW - timedelta(weeks=1)),
    ("昨天 14:20", sh(2024, 6, 4, 14, 20)),
    ("昨天14:20", sh(2024, 6, 4, 14, 20)),
    ("今天 08:00", sh(2024, 6, 5, 8)),
    ("前天", sh(2024, 6, 3)),
    # relative, English
    ("5 minutes ago", NOW - timedelta(minutes=5)),
    ("an hour ago", NOW - timedelta(hours=1)),
    ("about 2 hours ago", NOW - timedelta(hours=2)),
    ("3 days ago", NOW - timedelta(days=3)),
    ("just now", NOW),
    ("yesterday", sh(2024, 6, 4)),
    ("Yesterday at 2:20 pm", sh(2024, 6, 4, 14, 20)),
    ("today", sh(2024, 6, 5)),
    # English absolute
    ("Jun 5, 2024", sh(2024, 6, 5)),
    ("June 5th, 2024", sh(2024, 6, 5)),
    ("5 June 2024", sh(2024, 6, 5)),
    ("Jun 4", sh(2024, 6, 4)),
    ("Dec 24", sh(2023, 12, 24)),
    # ISO-8601
    ("2024-06-05T08:30:00Z", datetime(2024, 6, 5, 8, 30, tzinfo=UTC)),
    ("2024-06-05T08:30:00+08:00", sh(2024, 6, 5, 8, 30)),
    ("2024-06-05T08:30:00.123-05:00", datetime(2024, 6, 5, 13, 30, 0, 123000, tzinfo=UTC)),
    ("2024-06-05 08:30 +0800", sh(2024, 6, 5, 8, 30)),
    # RFC-822
    ("Wed, 05 Jun 2024 08:30:00 GMT", datetime(2024, 6, 5, 8, 30, tzinfo=UTC)),
    ("Wed, 05 Jun 2024 08:30:00 +0200", datetime(2024, 6, 5, 6, 30, tzinfo=UTC)),
    ("Wed, 05 Jun 2024 08:30:00 EST", datetime(2024, 6, 5, 13, 30, tzinfo=UTC)),
    ("Wed, 05 Jun 24 08:30 GMT", datetime(2024, 6, 5, 8, 30, tzinfo=UTC)),
    ("Wed, 05 Jun 2024 08:30:00", sh(2024, 6, 5, 8, 30)),  # no zone: the source's
    # ambiguous zone names mean the source's timezone (China Standard Time here)
    ("Wed, 05 Jun 2024 08:30:00 CST", sh(2024, 6, 5, 8, 30)),
    ("2024-06-05 08:30 CST", sh(2024, 6, 5, 8, 30)),
    # epoch seconds and milliseconds, as data-time attributes carry them
    ("1717545600", datetime(2024, 6, 5, tzinfo=UTC)),
    ("1717545600000", datetime(2024, 6, 5, tzinfo=UTC)),
    # absurd years and the far future are mistakes
    ("1970-01-01", None),
    ("1989-12-31", None),
    ("2099-01-01", None),
    ("2024-06-08", None),
    ("2024-06-07 11:00", sh(2024, 6, 7, 11)),  # within the two-day slack
    # garbage: never the 3rd of the month, never a crash
    ("", None),
    ("   ", None),
    ("hello", None),
    ("Monday", None),
    ("5", None),
    ("3 comments", None),
    ("阅读 1234", None),
    ("2024-02-30", None),
    ("2024年13月5日", None),
    ("99:99", None),
    ("昨天 99:99", None),
    ("NaN", None),
    ("Posted by admin", None),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_parse_date(text: str, expected: datetime | None) -> None:
    got = parse_date(text, tz=SHANGHAI, now=NOW)
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2024-06-05 08:30", BERLIN, datetime(2024, 6, 5, 8, 30, tzinfo=BERLIN)),
        ("Wed, 05 Jun 2024 08:30:00 CST", ZoneInfo("America/Chicago"), datetime(2024, 6, 5, 8, 30, tzinfo=ZoneInfo("America/Chicago"))),
        ("昨天 23:30", BERLIN, datetime(2024, 6, 4, 23, 30, tzinfo=BERLIN)),
    ],
)
def test_source_timezone_decides(text: str, tz: ZoneInfo, expected: datetime) -> None:
    assert parse_date(text, tz=tz, now=NOW) == expected


def test_year_less_date_at_new_year() -> None:
    """On 2 January, '12月30日' is three days ago, not next December."""
    now = datetime(2025, 1, 2, 9, tzinfo=SHANGHAI)
    assert parse_date("12月30日", tz=SHANGHAI, now=now) == sh(2024, 12, 30)
    assert parse_date("1月2日", tz=SHANGHAI, now=now) == sh(2025, 1, 2)


def test_naive_now_is_read_in_tz() -> None:
    assert parse_date("3小时前", tz=SHANGHAI, now=datetime(2024, 6, 5, 12)) == sh(2024, 6, 5, 9)


def test_unparseable_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="digest.dates"):
        assert parse_date("sometime soon", tz=SHANGHAI, now=NOW) is None
    assert any("sometime soon" in r.getMessage() and r.levelno == logging.DEBUG for r in caplog.records)


FEED_CASES: list[tuple[str | None, datetime | None, datetime | None]] = [
    # feedparser reads the Chinese form as 2024-11-01: ours wins
    ("2024年6月5日 08:30", datetime(2024, 11, 1, tzinfo=UTC), sh(2024, 6, 5, 8, 30)),
    # CST: feedparser says US Central (14:30 UTC); the source means China
    ("Wed, 05 Jun 2024 08:30:00 CST", datetime(2024, 6, 5, 14, 30, tzinfo=UTC), sh(2024, 6, 5, 8, 30)),
    # a zone-less time is the source's, not UTC
    ("2024-06-05 08:30", datetime(2024, 6, 5, 8, 30, tzinfo=UTC), sh(2024, 6, 5, 8, 30)),
    # an explicit zone: feedparser's value stands
    ("Wed, 05 Jun 2024 08:30:00 GMT", datetime(2024, 6, 5, 8, 30, tzinfo=UTC), datetime(2024, 6, 5, 8, 30, tzinfo=UTC)),
    ("2004-02-28T18:14:55-08:00", datetime(2004, 2, 29, 2, 14, 55, tzinfo=UTC), datetime(2004, 2, 29, 2, 14, 55, tzinfo=UTC)),
    # feedparser gave nothing: ours
    ("3小时前", None, NOW - timedelta(hours=3)),
    # neither can place it
    ("sometime", None, None),
    # a form only feedparser knows keeps feedparser's value
    ("Mittwoch, 5. Juni 2024", datetime(2024, 6, 5, tzinfo=UTC), datetime(2024, 6, 5, tzinfo=UTC)),
    # no raw string at all
    (None, datetime(2024, 6, 5, tzinfo=UTC), datetime(2024, 6, 5, tzinfo=UTC)),
    (None, None, None),
    # feedparser's epoch default for a broken date is not a date
    ("Thu, 01 Jan 1970 00:00:00 GMT", datetime(1970, 1, 1, tzinfo=UTC), None),
]


@pytest.mark.parametrize(("raw", "parsed", "expected"), FEED_CASES)
def test_resolve_feed_date(raw: str | None, parsed: datetime | None, expected: datetime | None) -> None:
    got = resolve_feed_date(raw, parsed, tz=SHANGHAI, now=NOW)
    assert (got.moment if got else None) == expected


@pytest.mark.parametrize(
    ("raw", "ambiguous"),
    [("Wed, 05 Jun 2024 08:30:00 CST", True), ("08:30 IST", True), ("Wed, 05 Jun 2024 08:30:00 EST", False), ("CSTX", False)],
)
def test_has_ambiguous_zone(raw: str, ambiguous: bool) -> None:
    assert has_ambiguous_zone(raw) is ambiguous


_NOWS = st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(SHANGHAI))
_DATEISH = st.text(alphabet="0123456789年月日号时分秒前天小-/:. TZ+APMapmGCSTUE昨今刚半个周hoursminutesagoJunDec,", max_size=40)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(max_size=60), _DATEISH), now=_NOWS)
def test_never_raises_and_is_aware(text: str, now: datetime) -> None:
    got = parse_date(text, tz=SHANGHAI, now=now)
    assert got is None or (got.tzinfo is not None and got.year >= 1990 and got <= now + timedelta(days=2))


@settings(max_examples=200, deadline=None)
@given(
    raw=st.one_of(st.none(), st.text(max_size=40), _DATEISH),
    parsed=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
)
def test_resolve_never_raises(raw: str | None, parsed: datetime | None) -> None:
    got = resolve_feed_date(raw, parsed, tz=SHANGHAI, now=NOW)
    assert got is None or got.moment.tzinfo is not None


@settings(max_examples=500, deadline=None)
@given(
    raw=st.from_regex(dates_module._ZONED_STANDARD, fullmatch=True),
    parsed=st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2024, 6, 5), timezones=st.just(UTC)),
    tz=st.sampled_from([UTC, SHANGHAI, ZoneInfo("America/Chicago")]),
)
def test_the_shortcut_for_zoned_rfc822_and_iso_dates_changes_nothing(raw: str, parsed: datetime, tz: ZoneInfo) -> None:
    """resolve_feed_date keeps feedparser's reading of these without parsing them again: the
    full reading must come to the same answer for every string the shortcut takes."""
    assert dates_module._resolve(raw, parsed, tz, NOW) == dates_module.When(parsed, time_known=True)


def test_the_shortcut_takes_the_common_feed_dates() -> None:
    taken = ["Wed, 05 Jun 2024 08:30:00 GMT", "5 Jun 2024 08:30 +0800", "2024-06-05T08:30:00Z", "2024-06-05T08:30:00.123+08:00"]
    left = ["Wed, 05 Jun 2024 08:30:00 CST", "2024-06-05 08:30", "2024年6月5日 08:30", "Wed, 05 Jun 2024 08:30:00",
            "2024-06-05T08:30:00", "Wed, 05 Jun 2024 08:30:00 EST"]
    assert all(dates_module._ZONED_STANDARD.fullmatch(raw) for raw in taken)
    assert not any(dates_module._ZONED_STANDARD.fullmatch(raw) for raw in left)


# Issue 17: forms that lost their PM, their time or everything (each a real page's way of writing)
REVIEW_CASES: list[tuple[str, datetime | None]] = [
    ("June 5, 2024 8:30 PM", sh(2024, 6, 5, 20, 30)),
    ("Jun 5, 2024 8:30 pm", sh(2024, 6, 5, 20, 30)),
    ("5 Jun 2024 8:30 PM", sh(2024, 6, 5, 20, 30)),
    ("June 5, 2024 8:30 AM", sh(2024, 6, 5, 8, 30)),
    ("Jun 5, 2024 12:15 AM", sh(2024, 6, 5, 0, 15)),
    ("June 4, 2024 8:30 PM EDT", datetime(2024, 6, 5, 0, 30, tzinfo=UTC)),
    ("2024年6月5日 星期三 08:30", sh(2024, 6, 5, 8, 30)),
    ("2024年6月4日 星期二 20:30", sh(2024, 6, 4, 20, 30)),
    ("2024年6月4日（周二）20:30", sh(2024, 6, 4, 20, 30)),
    ("2024-06-04 周二 20:30", sh(2024, 6, 4, 20, 30)),
    ("周二 20:30", sh(2024, 6, 4, 20, 30)),  # NOW is Wednesday noon
    ("周三 08:30", sh(2024, 6, 5, 8, 30)),  # today, earlier
    ("周三 20:30", sh(2024, 5, 29, 20, 30)),  # today's 20:30 is still to come: last week's
    ("星期日 9:00", sh(2024, 6, 2, 9)),
    ("Tue 8:30 pm", sh(2024, 6, 4, 20, 30)),
    ("上周", sh(2024, 5, 29)),
    ("上个月", sh(2024, 5, 6)),
    ("周三", None),  # a bare weekday says too little, like "Monday"
    ("Wednesday, 9:15", sh(2024, 6, 5, 9, 15)),
    ("Sunset 8:30 pm", None),  # a word that starts like a weekday is not one
    ("Monthly 10:00", None),
]


@pytest.mark.parametrize(("text", "expected"), REVIEW_CASES, ids=[c[0] for c in REVIEW_CASES])
def test_review_forms(text: str, expected: datetime | None) -> None:
    assert parse_date(text, tz=SHANGHAI, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "time_known"),
    [
        ("2024年6月5日", False), ("6月5日", False), ("2024-06-05", False), ("2024/6/5", False),
        ("Jun 5, 2024", False), ("5 June 2024", False), ("昨天", False), ("yesterday", False), ("上周", False),
        ("2024年6月5日 08:30", True), ("2024-06-05 08:30", True), ("Jun 5, 2024 8:30 PM", True),
        ("昨天 14:20", True), ("3小时前", True), ("2024-06-05T08:30:00Z", True),
        ("Wed, 05 Jun 2024 08:30:00 GMT", True), ("周二 20:30", True), ("1717545600", True),
    ],
)
def test_time_known(text: str, time_known: bool) -> None:
    got = read_date(text, tz=SHANGHAI, now=NOW)
    assert got is not None and got.time_known is time_known
    if not time_known:
        assert (got.moment.hour, got.moment.minute) == (0, 0) and got.moment.tzinfo == SHANGHAI


def test_feed_date_without_time_is_date_only() -> None:
    got = resolve_feed_date("2024-06-04", datetime(2024, 6, 4, tzinfo=UTC), tz=SHANGHAI, now=NOW)
    assert got is not None and got.moment == sh(2024, 6, 4) and not got.time_known
    got = resolve_feed_date("Tue, 04 Jun 2024 20:30:00 GMT", datetime(2024, 6, 4, 20, 30, tzinfo=UTC), tz=SHANGHAI, now=NOW)
    assert got is not None and got.time_known
