"""What the templates see: the digest turned into display-ready values (times, counts, report line).

Pure functions of a Digest; the HTML and plaintext renderers share them so both parts say the same.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import LayoutSettings
from ..dates import format_when
from ..models import AlsoRef, Digest, Item, SourceResult, language_of
from .labels import labels, long_date
from .langtag import FONTS, digest_tag, item_tag
from .layout import brief_line, destination, is_sponsored, leads, left_out, names_line, quiet_sources, source_urls


@dataclass(frozen=True)
class ItemView:
    id: str
    title: str
    url: str
    source: str
    when: str  # absolute, in the digest's language: "5 Jun 20:30", "6月5日" (a day without a time)
    when_iso: str  # the local time, for <time datetime>
    summary: str  # empty when the summary was trimmed for size
    summary_trimmed: bool
    also: tuple[AlsoRef, ...]
    language: str
    rank: int  # 0 = the pipeline's first item
    lang: str = "en"  # the BCP 47 tag for its element: en, zh-Hans, zh-Hant
    lead: bool = True  # a full card with the summary; False: a brief (title, source, one short line)
    brief: str = ""  # the brief's one short line
    sponsored: bool = False  # marked as paid by its publisher; never a lead
    site: str = ""  # the site the link goes to, when it is not the source's own


@dataclass(frozen=True)
class SectionView:
    name: str
    anchor: str
    items: tuple[ItemView, ...]

    @property
    def count(self) -> int:
        """Stories in the section (shown in its heading)."""
        return len(self.items)


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
    lang: str = "en"  # the page's BCP 47 tag: en, zh-Hans, zh-Hant
    more_count: int = 0  # stories that did not fit and are not listed by title
    left_out: int = 0  # stories over max_items/per_source (listed or counted under "More stories")
    why: str = ""  # why the reader gets this e-mail
    fonts: Mapping[str, str] | None = None  # font stack per lang tag, for inline fallbacks


def zone(digest: Digest) -> tzinfo:
    """The digest's timezone; an unknown name (config validates it) falls back to the timestamp's own."""
    try:
        return ZoneInfo(digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return digest.generated_at.tzinfo or ZoneInfo("UTC")


def _when(item: Item, local: datetime, now: datetime, language: str) -> str:
    """Absolute date and time; an undated story says it is the time we first saw it, not its publication."""
    when = format_when(item.published, time_known=item.time_known, language=language, tz=local.tzinfo,
                       year=now.year)
    if item.dated:
        return when
    return f"收录于 {when}" if language_of(language) == "zh" else f"seen {when}"


def _failure(source: SourceResult, language: str) -> str:
    reason = source.error or ("错误" if language_of(language) == "zh" else "error")
    if source.failing_days >= 2:  # one day is today's failure, already said by being listed
        days = source.failing_days
        reason += f"，已连续 {days} 天" if language_of(language) == "zh" else f", failing for {days} days"
    return f"{source.name}（{reason}）" if language_of(language) == "zh" else f"{source.name} ({reason})"


def run_report(digest: Digest, language: str | None = None) -> str:
    """'42 stories from 18 of 20 sources · 8 more did not fit · nothing today from X · 1 source failed: Y (timeout)'.

    Counts are honest: sources are those configured, stories are those in this e-mail, and what
    a cap left out and which sources had nothing are said, not silently dropped.
    """
    lang = language or digest.language
    zh = language_of(lang) == "zh"
    items = digest.items
    stories, with_stories = len(items), len({item.source for item in items})
    configured = max(len(digest.sources), with_stories)
    failed = [s for s in digest.sources if s.status == "error"]
    quiet = quiet_sources(digest, items)
    left = len(left_out(digest))
    if zh:
        of = f"{configured} 个来源中的 {with_stories} 个" if configured != with_stories else f"{configured} 个来源"
        head, more, quiet_intro = f"{stories} 篇报道，来自 {of}", f"另有 {left} 篇未能收入本期", "今天没有新内容："
        failed_intro, comma = f"{len(failed)} 个来源失败：", "、"
    else:
        of = f"{with_stories} of {configured}" if configured != with_stories else f"{configured}"
        head = f"{stories} {'story' if stories == 1 else 'stories'} from {of} {'source' if configured == 1 else 'sources'}"
        more, quiet_intro = f"{left} more did not fit", "nothing today from "
        failed_intro, comma = f"{len(failed)} {'source' if len(failed) == 1 else 'sources'} failed: ", ", "
    parts = [head]
    if left:
        parts.append(more)
    if quiet:
        parts.append(quiet_intro + names_line(quiet, lang))
    if failed:
        parts.append(failed_intro + comma.join(_failure(s, lang) for s in failed))
    return " · ".join(parts)


def preheader(digest: Digest, limit: int = 140) -> str:
    """The first headlines, for the inbox preview line (a paid post never leads it)."""
    sep = "｜" if language_of(digest.language) == "zh" else " · "
    text = ""
    for item in (i for i in digest.items if not is_sponsored(i)):
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
    layout: LayoutSettings | None = None,
) -> DigestView:
    """The digest as templates see it; `trimmed` items lose their summary, `overflow` ones move to 'more stories'.

    `layout` picks the lead stories (full cards); the others are briefs.  Stories that did not fit
    max_items follow the overflow under "More stories", as titles up to `layout.more_stories`.
    """
    layout = layout or LayoutSettings()
    tz = zone(digest)
    now = digest.generated_at.astimezone(tz)
    lang = digest.language
    lead_ids = leads(digest, layout)
    homes = source_urls(digest)
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
            when_iso=local.isoformat(timespec="minutes") if item.time_known else item.published.date().isoformat(),
            summary="" if cut else item.summary,
            summary_trimmed=cut and bool(item.summary),
            also=item.also,
            language=item.language,
            rank=rank,
            lang=item_tag(item),
            lead=item.id in lead_ids,
            brief="" if cut else brief_line(item),
            sponsored=is_sponsored(item),
            site=destination(item.url, homes.get(item.source, "")),
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
    listed = max(0, layout.more_stories - len(more))
    missed = left_out(digest)
    more.extend(view(item) for item in missed[:listed])
    tags = [i.lang for s in sections for i in s.items]
    t = labels(lang)
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
        t=t,
        lang=digest_tag(lang, tags),
        more_count=len(missed) - min(listed, len(missed)),
        left_out=len(missed),
        why=t["why"].format(title=digest.title),
        fonts=FONTS,
    )
