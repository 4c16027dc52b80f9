"""What the templates see: the digest turned into display-ready values (times, counts, report line).

Pure functions of a Digest; the HTML and plaintext renderers share them so both parts say the same.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..models import AlsoRef, Digest, Item, SourceResult
from .labels import labels, long_date, short_date


@dataclass(frozen=True)
class ItemView:
    id: str
    title: str
    url: str
    source: str
    when: str  # relative to the digest's generation time: "3 hours ago"
    when_iso: str  # the local time, for <time datetime>
    summary: str  # empty when the summary was trimmed for size
    summary_trimmed: bool
    also: tuple[AlsoRef, ...]
    language: str
    rank: int  # 0 = the pipeline's first item


@dataclass(frozen=True)
class SectionView:
    name: str
    anchor: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class DigestView:
    title: str
    language: str
    date: str  # 'Monday, 3 June 2024'
    day: str  # '2024-06-03', in the digest's timezone
    generated_iso: str
    sections: tuple[SectionView, ...]
    more_stories: tuple[ItemView, ...]  # overflow, shown as titles only
    story_count: int
    report: str  # the footer's one-line run report
    preheader: str
    browser_url: str | None  # this day's page in the web archive ("view in browser")
    t: Mapping[str, str]


def zone(digest: Digest) -> tzinfo:
    """The digest's timezone; an unknown name (config validates it) falls back to the timestamp's own."""
    try:
        return ZoneInfo(digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return digest.generated_at.tzinfo or ZoneInfo("UTC")


def relative_time(when: datetime, now: datetime, language: str) -> str:
    """'5 min ago', '3 hours ago', 'yesterday 14:05', '3 days ago', '3 Jun' (or the Chinese forms).

    Clock skew (a story dated after the run) reads as 'just now' rather than as the future.
    """
    zh = language.startswith("zh")
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "刚刚" if zh else "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} 分钟前" if zh else f"{minutes} min ago"
    hours = minutes // 60
    if hours < 24:
        if zh:
            return f"{hours} 小时前"
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    local = when.astimezone(now.tzinfo)
    days = (now.date() - local.date()).days
    if days <= 1:
        return f"昨天 {local:%H:%M}" if zh else f"yesterday {local:%H:%M}"
    if days < 7:
        return f"{days} 天前" if zh else f"{days} days ago"
    return short_date(local.month, local.day, language)


def _when(item: Item, local: datetime, now: datetime, language: str) -> str:
    """Relative time; an undated story says it is the time we first saw it, not its publication."""
    when = relative_time(local, now, language)
    if item.dated:
        return when
    return f"{when}收录" if language.startswith("zh") else f"seen {when}"


def _failure(source: SourceResult, language: str) -> str:
    reason = source.error or ("错误" if language.startswith("zh") else "error")
    if source.failing_days >= 2:  # one day is today's failure, already said by being listed
        days = source.failing_days
        reason += f"，已连续 {days} 天" if language.startswith("zh") else f", failing for {days} days"
    return f"{source.name}（{reason}）" if language.startswith("zh") else f"{source.name} ({reason})"


def run_report(digest: Digest, language: str | None = None) -> str:
    """'42 stories from 18 sources · 2 sources failed: X (timeout), Y (HTTP 404)'."""
    lang = language or digest.language
    items = digest.items
    stories, sources = len(items), len({item.source for item in items})
    failed = [s for s in digest.sources if s.status == "error"]
    if lang.startswith("zh"):
        line = f"{stories} 篇报道，来自 {sources} 个来源"
        if failed:
            line += f" · {len(failed)} 个来源失败：" + "、".join(_failure(s, lang) for s in failed)
        return line
    line = (
        f"{stories} {'story' if stories == 1 else 'stories'} from {sources} {'source' if sources == 1 else 'sources'}"
    )
    if failed:
        noun = "source" if len(failed) == 1 else "sources"
        line += f" · {len(failed)} {noun} failed: " + ", ".join(_failure(s, lang) for s in failed)
    return line


def preheader(digest: Digest, limit: int = 140) -> str:
    """The first headlines, for the inbox preview line."""
    sep = "｜" if digest.language.startswith("zh") else " · "
    text = ""
    for item in digest.items:
        candidate = item.title if not text else text + sep + item.title
        if len(candidate) > limit:
            if not text:
                text = item.title[: limit - 1].rstrip() + "…"
            break
        text = candidate
    return text


def ranked_ids(digest: Digest) -> list[str]:
    """Item ids from the lowest-ranked up: the last story of every section first, round-robin.

    Trimming for size walks this list, so no single section is emptied before the others shrink.
    """
    order: list[tuple[int, int, str]] = []
    for s, section in enumerate(digest.sections):
        for position, item in enumerate(section.items):
            order.append((position, s, item.id))
    order.sort(reverse=True)
    return [item_id for _, _, item_id in order]


def browser_url(archive_url: str | None, day: str) -> str | None:
    """A page URL is used as given; a site URL (the archive's root) gets the day's page appended."""
    if not archive_url:
        return None
    if archive_url.endswith((".html", ".htm")):
        return archive_url
    return f"{archive_url.rstrip('/')}/{day}.html"


def _anchor(index: int) -> str:
    return f"section-{index + 1}"


def build_view(
    digest: Digest,
    *,
    trimmed: Collection[str] = (),
    overflow: Collection[str] = (),
) -> DigestView:
    """The digest as templates see it; `trimmed` items lose their summary, `overflow` ones move to 'more stories'."""
    tz = zone(digest)
    now = digest.generated_at.astimezone(tz)
    lang = digest.language
    rank = 0

    def view(item: Item) -> ItemView:
        nonlocal rank
        local = item.published.astimezone(tz)
        cut = item.id in trimmed
        result = ItemView(
            id=item.id,
            title=item.title,
            url=item.url,
            source=item.source,
            when=_when(item, local, now, lang),
            when_iso=local.isoformat(timespec="minutes"),
            summary="" if cut else item.summary,
            summary_trimmed=cut and bool(item.summary),
            also=item.also,
            language=item.language,
            rank=rank,
        )
        rank += 1
        return result

    sections: list[SectionView] = []
    more: list[ItemView] = []
    for index, section in enumerate(digest.sections):
        shown: list[ItemView] = []
        for item in section.items:
            (more if item.id in overflow else shown).append(view(item))
        if shown:
            sections.append(SectionView(section.name, _anchor(index), tuple(shown)))
    return DigestView(
        title=digest.title,
        language=lang,
        date=long_date(now.year, now.month, now.day, now.weekday(), lang),
        day=now.date().isoformat(),
        generated_iso=now.isoformat(timespec="minutes"),
        sections=tuple(sections),
        more_stories=tuple(more),
        story_count=len(digest.items),
        report=run_report(digest),
        preheader=preheader(digest),
        browser_url=browser_url(digest.archive_url, now.date().isoformat()),
        t=labels(lang),
    )
