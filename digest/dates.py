"""Dates as people write them on Chinese and English pages and in sloppy feeds, read in the source's zone.

`dateutil` does the standard formats; the Chinese and relative forms (`2024年6月5日`, `3小时前`,
`昨天 14:20`, `5 minutes ago`) need rules of their own, because `dateutil`'s `fuzzy=True` turns
`3小时前` into the 3rd of the month.  A date without a zone, or with an ambiguous abbreviation such
as `CST` (China, US Central or Cuba), is read in the source's timezone.  Nothing here raises: a
string we cannot place gives None (and a debug line), so the item falls back to its first-seen time.
"""

from __future__ import annotations

import email.utils
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

from .models import language_of

log = logging.getLogger(__name__)

MIN_YEAR = 1990
FUTURE_SLACK = timedelta(days=2)  # clocks and zones disagree; more than this is a wrong date

# Abbreviations that name more than one zone: the source's timezone decides what they mean.
AMBIGUOUS_ZONES = frozenset({"CST", "CDT", "IST", "BST", "AST", "ADT", "GST", "SST", "ECT"})
# Abbreviations that mean one thing in practice.
KNOWN_ZONES: dict[str, int] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 3600,
    "EST": -5 * 3600, "EDT": -4 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
    "PST": -8 * 3600, "PDT": -7 * 3600, "AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
    "CET": 3600, "CEST": 7200, "MET": 3600, "MEST": 7200, "EET": 7200, "EEST": 10800, "MSK": 10800,
    "JST": 9 * 3600, "KST": 9 * 3600, "HKT": 8 * 3600, "SGT": 8 * 3600, "AWST": 8 * 3600,
    "ACST": 34200, "AEST": 10 * 3600, "AEDT": 11 * 3600, "NZST": 12 * 3600, "NZDT": 13 * 3600,
}
_ZONE_WORD = re.compile(r"(?<![A-Za-z])([A-Z]{1,5})(?![A-Za-z])")
# Nine feed dates in ten: RFC 822 or ISO 8601 with an explicit UTC or numeric zone, which
# feedparser reads right.  Nothing else may match here (see resolve_feed_date).
_ZONED_STANDARD = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} "
    r"\d{2}:\d{2}(?::\d{2})? (?:GMT|UTC|UT|Z|[+-]\d{4})"
    r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})",
    re.ASCII,
)

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
_MONTH_WORD = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?![a-z])", re.IGNORECASE
)

_TIME = r"(?:\s*(?:T|\s|,|at)?\s*(?P<ampm>上午|下午|晚上|凌晨|中午|早上)?\s*(?P<h>\d{1,2})\s*[:：时點点]\s*(?P<mi>\d{1,2})?(?:\s*[:：分]\s*(?P<s>\d{1,2}))?\s*(?P<ampm2>[ap]\.?m\.?)?)?"
# "2024年6月5日 星期三 20:30", "2024-06-05（周三）20:30": the weekday between day and time is skipped
_CN_WEEKDAY = r"(?:星期|周|週|礼拜|禮拜)(?P<wd>[一二三四五六日天])"
_SKIP_WEEKDAY = rf"(?:\s*[(（]?\s*{_CN_WEEKDAY.replace('?P<wd>', '?:')}\s*[)）]?)?"
_CN_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]" + _SKIP_WEEKDAY + _TIME, re.IGNORECASE
)
_NUM_DATE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?!\d)" + _SKIP_WEEKDAY + _TIME,
    re.IGNORECASE,
)
# "周三 20:30", "Wed 8:30 pm": the latest such weekday up to now; a bare weekday stays unread ("Monday")
_WEEKDAY_TIME = re.compile(
    rf"^(?:{_CN_WEEKDAY}|(?P<en>(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?)\b\.?,?)\s*(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EN_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
# "上周", "last month": a day that far back, its time unknown
_LAST_PERIOD = re.compile(r"^(?:上周|上週|上星期|上个星期|上個星期|上礼拜|上禮拜|last week|上个月|上個月|上月|last month|去年|last year)$")
_PERIOD_DAYS = {"周": 7, "週": 7, "星期": 7, "礼拜": 7, "禮拜": 7, "week": 7, "月": 30, "month": 30, "年": 365, "year": 365}
_HAS_CLOCK = re.compile(r"\d{1,2}\s*[:：时點点]\s*\d|\d\s*[ap]\.?m\b", re.IGNORECASE)
_AM_PM = re.compile(r"\d\s*[ap]\.?m\.?(?![a-z])", re.IGNORECASE)
# "06-05 08:30" without a year, as Chinese portals print today's and recent items
_SHORT_DATE = re.compile(r"^(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?$")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")

_JUST_NOW = re.compile(r"^(?:刚刚|刚才|剛剛|剛才|just now|right now|now|moments? ago|a moment ago)$", re.IGNORECASE)
_CN_AGO = re.compile(
    r"(?P<n>\d+|半|一|两|兩|几|幾)\s*(?:个|個)?\s*(?P<unit>秒钟|秒鐘|秒|分钟|分鐘|分|小时|小時|钟头|鐘頭|天|日|周|週|星期|礼拜|禮拜|月|年)\s*(?:之)?前"
)
_EN_AGO = re.compile(
    r"\b(?P<n>\d+|an?|one|a few|few|several)\s*(?P<unit>s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mos?|months?|y|yrs?|years?)\s+ago\b",
    re.IGNORECASE,
)
_DAY_WORD = re.compile(
    r"^(?P<day>今天|今日|昨天|昨日|前天|大前天|today|yesterday)(?:\s*(?:at|,)?\s*(?P<rest>.+))?$", re.IGNORECASE
)
_DAY_OFFSETS = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2, "大前天": 3}
_CN_NUMBERS = {"半": 0.5, "一": 1, "两": 2, "兩": 2, "几": 3, "幾": 3, "an": 1, "a": 1, "one": 1, "a few": 3, "few": 3, "several": 3}
_UNIT_SECONDS = {
    "s": 1, "sec": 1, "second": 1, "秒": 1, "秒钟": 1, "秒鐘": 1,
    "m": 60, "min": 60, "minute": 60, "分": 60, "分钟": 60, "分鐘": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "小时": 3600, "小時": 3600, "钟头": 3600, "鐘頭": 3600,
    "d": 86400, "day": 86400, "天": 86400, "日": 86400,
    "w": 604800, "wk": 604800, "week": 604800, "周": 604800, "週": 604800, "星期": 604800, "礼拜": 604800, "禮拜": 604800,
    "mo": 30 * 86400, "month": 30 * 86400, "月": 30 * 86400,
    "y": 365 * 86400, "yr": 365 * 86400, "year": 365 * 86400, "年": 365 * 86400,
}


@dataclass(frozen=True)
class _Parsed:
    moment: datetime
    explicit_zone: bool  # the string named its own offset (not an ambiguous abbreviation)
    time_known: bool = True  # False for a bare day ("2024年6月5日", "yesterday"): moment is its 00:00


@dataclass(frozen=True)
class When:
    """A read date.  Without a time of day, `moment` is 00:00 of that day in the source's zone."""

    moment: datetime
    time_known: bool = True


def parse_date(text: str, *, tz: tzinfo, now: datetime) -> datetime | None:
    """A tz-aware datetime for `text` as written on a page, or None; never raises.

    Naive dates and ambiguous zone names are read in `tz`; relative forms count back from `now`.
    Years before 1990 and dates more than two days after `now` are refused as mistakes.
    """
    parsed = _parse(text, tz, now)
    return parsed.moment if parsed else None


def read_date(text: str, *, tz: tzinfo, now: datetime) -> When | None:
    """`parse_date`, also saying whether the text gave a time of day or only a day."""
    parsed = _parse(text, tz, now)
    return When(parsed.moment, parsed.time_known) if parsed else None


def resolve_feed_date(raw: str | None, parsed: datetime | None, *, tz: tzinfo, now: datetime) -> When | None:
    """The date of a feed entry: feedparser's value unless its raw string needs our reading.

    feedparser reads `2024年6月5日 08:30` as a wrong date, `CST` as US Central time and zone-less
    times as UTC; we re-parse those (and whatever it could not place) in the source's timezone.
    """
    sane = parsed if parsed is not None and parsed.tzinfo is not None and _plausible(parsed, now) else None
    if not raw or not raw.strip():
        return When(sane) if sane else None
    if sane is not None and _ZONED_STANDARD.fullmatch(raw):
        return When(sane)  # what the reading below returns for these too (tested); it costs a tenth of a parse
    return _resolve(raw, sane, tz, now)


def _resolve(raw: str, sane: datetime | None, tz: tzinfo, now: datetime) -> When | None:
    ours = _parse(raw, tz, now, quiet=sane is not None)
    if ours is None:
        return When(sane) if sane else None
    if sane is None or _CJK.search(raw) or _ambiguous_zone(raw) or not ours.explicit_zone:
        return When(ours.moment, ours.time_known)
    return When(sane)


def has_ambiguous_zone(raw: str) -> bool:
    """True when `raw` names a zone abbreviation like CST that means different places."""
    return _ambiguous_zone(raw) is not None


# ---------------------------------------------------------------------------- the parser

def _parse(text: str, tz: tzinfo, now: datetime, *, quiet: bool = False) -> _Parsed | None:
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    try:
        result = _parse_unchecked(_clean(text), tz, now)
    except (ValueError, OverflowError, ArithmeticError):
        result = None
    if result is not None and not _plausible(result.moment, now):
        result = None
    if result is None and not quiet and isinstance(text, str) and text.strip():
        log.debug("unparseable date %r; the item keeps its first-seen time", text[:80])
    return result


def _clean(text: str) -> str:
    if not isinstance(text, str):
        return ""
    # NFKC turns full-width digits and colons (２０２４－０６－０５ １２：００) into ASCII
    value = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", " ", value).strip()[:200]


def _plausible(moment: datetime, now: datetime) -> bool:
    try:
        return moment.year >= MIN_YEAR and moment <= now + FUTURE_SLACK
    except (OverflowError, TypeError):
        return False


def _parse_unchecked(text: str, tz: tzinfo, now: datetime) -> _Parsed | None:
    if not text:
        return None
    local_now = now.astimezone(tz)
    lowered = text.lower().removeprefix("about ").strip()

    if _JUST_NOW.match(lowered):
        return _Parsed(now, True)
    relative = _relative(lowered, now)
    if relative is not None:
        return _Parsed(relative, True)
    day = _DAY_WORD.match(lowered)
    if day:
        when = local_now.date() - timedelta(days=_DAY_OFFSETS[day.group("day")])
        clock = _clock(day.group("rest") or "")
        if day.group("rest") and clock is None:
            return None
        return _Parsed(_at(when, clock or time(0), tz), False, time_known=clock is not None)
    if _LAST_PERIOD.match(lowered):
        back = next(n for unit, n in _PERIOD_DAYS.items() if unit in lowered)
        return _Parsed(_at(local_now.date() - timedelta(days=back), time(0), tz), False, time_known=False)
    weekday = _WEEKDAY_TIME.match(lowered)
    on_weekday = _on_weekday(weekday, tz, local_now) if weekday else None
    if on_weekday is not None:
        return on_weekday  # else "Wed, 05 Jun 2024 …" is read below
    if _EPOCH.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return _Parsed(datetime.fromtimestamp(seconds, UTC), True)

    iso = _iso(text, tz)
    if iso is not None:
        return iso
    match = _CN_DATE.search(text)
    if match:
        return _from_match(match, tz, local_now)
    match = _NUM_DATE.search(text)
    if match and not re.search(r"(?:[+-]\d{2}:?\d{2}|\b[A-Z]{2,5})$", text[match.end():].strip()):
        return _from_match(match, tz, local_now)
    match = _SHORT_DATE.match(text)
    if match:
        return _from_match(match, tz, local_now)
    return _standard(text, tz, local_now)


def _relative(lowered: str, now: datetime) -> datetime | None:
    for pattern in (_CN_AGO, _EN_AGO):
        match = pattern.search(lowered)
        if match:
            raw_n, unit = match.group("n"), match.group("unit").lower()
            count = float(raw_n) if raw_n.isdigit() else float(_CN_NUMBERS.get(raw_n, 1))
            key = unit if unit in _UNIT_SECONDS else unit.rstrip("s")
            seconds = _UNIT_SECONDS.get(key)
            if seconds is None:
                return None
            return now - timedelta(seconds=count * seconds)
    return None


def _on_weekday(match: re.Match[str], tz: tzinfo, local_now: datetime) -> _Parsed | None:
    """The latest given weekday at the given time that is not after now."""
    clock = _clock(match.group("rest"))
    if clock is None:
        return None
    wanted = _CN_WEEKDAYS[match.group("wd")] if match.group("wd") else _EN_WEEKDAYS[match.group("en")[:3].lower()]
    day = local_now.date() - timedelta(days=(local_now.weekday() - wanted) % 7)
    moment = _at(day, clock, tz)
    if moment > local_now:
        moment = _at(day - timedelta(days=7), clock, tz)
    return _Parsed(moment, False)


def _clock(rest: str) -> time | None:
    match = re.match(
        r"^(?P<ampm>上午|下午|晚上|凌晨|中午|早上)?\s*(?P<h>\d{1,2})\s*[:：时点]\s*(?P<mi>\d{1,2})?(?:\s*[:：分]\s*(?P<s>\d{1,2}))?\s*(?P<ampm2>[ap]\.?m\.?)?$",
        rest.strip(),
    )
    if not match:
        return None
    return _time_of(match.group("h"), match.group("mi"), match.group("s"), match.group("ampm") or match.group("ampm2"))


def _time_of(h: str | None, mi: str | None, s: str | None, ampm: str | None) -> time | None:
    if h is None:
        return None
    hour, minute, second = int(h), int(mi or 0), int(s or 0)
    marker = (ampm or "").lower().replace(".", "")
    if (marker in ("下午", "晚上", "pm") and hour < 12) or (marker in ("中午",) and hour < 11):
        hour += 12
    elif marker in ("凌晨", "am") and hour == 12:
        hour = 0
    return time(hour, minute, second)  # ValueError for 25:61 is caught by the caller


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock).replace(tzinfo=tz)


def _from_match(match: re.Match[str], tz: tzinfo, local_now: datetime) -> _Parsed:
    groups = match.groupdict()
    month, day_of_month = int(groups["m"]), int(groups["d"])
    if groups.get("y"):
        day = date(int(groups["y"]), month, day_of_month)
    else:
        # no year written: this year, unless that day is still to come (then it was last year)
        this_year = date(local_now.year, month, day_of_month) if _valid(local_now.year, month, day_of_month) else None
        day = this_year if this_year is not None and this_year <= local_now.date() else date(
            local_now.year - 1, month, day_of_month)
    ampm = groups.get("ampm") or groups.get("ampm2")
    clock = _time_of(groups.get("h"), groups.get("mi"), groups.get("s"), ampm)
    return _Parsed(_at(day, clock or time(0), tz), False, time_known=clock is not None)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _iso(text: str, tz: tzinfo) -> _Parsed | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$", text):
        return None
    from dateutil import parser as dateparser

    compact = text.replace(" ", "T", 1).replace(" ", "") if len(text) > 10 and text[10] == " " else text.replace(" ", "")
    try:
        value = dateparser.isoparse(compact)
    except (ValueError, OverflowError):
        return None
    if value.tzinfo is None:
        return _Parsed(value.replace(tzinfo=tz), False, time_known=len(text) > 10)
    return _Parsed(value, True)


def _ambiguous_zone(text: str) -> str | None:
    for word in _ZONE_WORD.findall(text):
        if word in AMBIGUOUS_ZONES:
            return str(word)
    return None


def _standard(text: str, tz: tzinfo, local_now: datetime) -> _Parsed | None:
    """RFC-822 and the English forms dateutil knows (`Jun 5, 2024`), with zones made explicit."""
    # dateutil happily reads "Monday" or "5" as some day near the default: insist on a month and a day
    has_month = bool(_MONTH_WORD.search(text))
    digits = re.findall(r"\d+", text)
    if not digits or (not has_month and len(digits) < 3):
        return None
    zone_name = _ambiguous_zone(text)
    if zone_name:
        text = re.sub(rf"(?<![A-Za-z]){zone_name}(?![A-Za-z])", "", text).strip()
    time_known = bool(_HAS_CLOCK.search(text))
    # parsedate_tz reads "June 5, 2024 8:30 PM" as 08:30: it has no AM/PM; dateutil has
    rfc = email.utils.parsedate_tz(text) if has_month and not _AM_PM.search(text) else None
    if rfc is not None and 1 <= rfc[2] <= 31:
        year, month, day, hour, minute, second = rfc[:6]
        naive = datetime(year, month, day, hour, minute, second)
        offset = _trailing_offset(text)  # parsedate_tz says 0 for "no zone" too; look ourselves
        if offset is None:
            return _Parsed(naive.replace(tzinfo=tz), False, time_known)
        return _Parsed(naive.replace(tzinfo=offset), True, time_known)

    import warnings

    from dateutil import parser as dateparser

    default = datetime.combine(local_now.date(), time(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # UnknownTimezoneWarning: unknown names stay naive on purpose
        try:
            value = dateparser.parse(text, default=default, tzinfos=_tzinfos)
        except (ValueError, OverflowError, TypeError, LookupError):
            return None
    if value.tzinfo is None:
        moment = value.replace(tzinfo=tz)
        if not re.search(r"\d{4}", text) and moment.date() > local_now.date():
            moment = moment.replace(year=moment.year - 1)
        return _Parsed(moment, False, time_known)
    return _Parsed(value, not zone_name, time_known)


def _trailing_offset(text: str) -> tzinfo | None:
    match = re.search(r"(?<![A-Za-z])(?:(?P<num>[+-]\d{2}:?\d{2})|(?P<name>[A-Za-z]{1,5}))\s*$", text)
    if not match:
        return None
    if match.group("num"):
        digits = match.group("num").replace(":", "")
        sign = -1 if digits[0] == "-" else 1
        return timezone(sign * timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5])))
    seconds = KNOWN_ZONES.get(match.group("name").upper())
    return timezone(timedelta(seconds=seconds)) if seconds is not None else None


def _tzinfos(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil hook: numeric offsets and known abbreviations; unknown names stay naive (source tz)."""
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    seconds = KNOWN_ZONES.get((name or "").upper())
    return timezone(timedelta(seconds=seconds)) if seconds is not None else None


# ---------------------------------------------------------------------------- showing dates

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_when(moment: datetime, *, time_known: bool, language: str, tz: tzinfo | None, year: int) -> str:
    """'6月5日 20:30' or '5 Jun 20:30' in `tz`, with the year when it is not `year`.

    Absolute on purpose: an e-mail is read hours later and an archive page years later, where
    "3 hours ago" is wrong.  A day without a time is shown as the day alone, in the source's own
    calendar (the zone `moment` carries), never with a made-up 00:00.
    """
    local = moment.astimezone(tz) if time_known and tz is not None else moment
    zh = language_of(language) == "zh"
    if zh:
        text = f"{local.month}月{local.day}日" if local.year == year else f"{local.year}年{local.month}月{local.day}日"
    else:
        text = f"{local.day} {_MONTHS[local.month - 1]}" + ("" if local.year == year else f" {local.year}")
    return f"{text} {local:%H:%M}" if time_known else text
