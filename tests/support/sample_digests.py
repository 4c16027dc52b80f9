"""The fixture digests the render, browser and archive tests share, built from the model dataclasses.

`big_digest()`: 60 items in 4 sections, English and Chinese, a long URL and an unbroken token, failed
sources and duplicates; `chinese_digest()`: a small all-Chinese one.  Everything is deterministic.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from digest.models import AlsoRef, Digest, Item, Section, SourceResult, Stats

SHANGHAI = timezone(timedelta(hours=8))
GENERATED = datetime(2024, 6, 3, 7, 0, tzinfo=SHANGHAI)
LONG_URL = (
    "https://example.org/research/2024/06/02/an-extremely-long-article-slug-that-keeps-going-and-going-"
    "without-any-break-opportunity-whatsoever-to-test-overflow-handling-in-narrow-mail-clients?ref=feed&page=1"
)

EN_TOPICS = [
    "Open-source maintainers push for a shared security fund",
    "Researchers map the energy cost of training large language models",
    "City councils experiment with four-day weeks for public staff",
    "A new battery chemistry promises cheaper grid storage",
    "Why the rollout of faster home broadband keeps stalling",
    "Astronomers spot water vapour around a temperate exoplanet",
    "The quiet comeback of the paper notebook among engineers",
    "Regulators open a consultation on rules for AI-generated images",
    "Rust reaches another milestone inside the Linux kernel",
    "Shipping firms reroute as drought lowers canal water levels",
    "How small newsrooms use RSS to keep up with local councils",
    "Python 3.13 release candidate adds an experimental JIT",
    "Farmers test drones that plant trees on burned hillsides",
    "A decade of data shows bike lanes reduced traffic deaths",
    "What the new EU accessibility act means for websites",
]
EN_SENTENCES = [
    "The proposal was published on Sunday after months of discussion with the people most affected.",
    "Early results suggest the change is measurable, though the authors caution that the sample is small.",
    "Critics argue the cost has been underestimated and that the timeline is optimistic.",
    "Supporters say the approach could be copied elsewhere within a couple of years.",
]
ZH_TOPICS = [
    "国产大模型开源生态加速成长，开发者社区活跃度创新高",
    "多地试点数据要素市场，探索公共数据授权运营新模式",
    "新能源汽车出口持续增长，企业加快海外建厂步伐",
    "高校毕业生就业季来临，人工智能岗位需求旺盛",
    "量子计算研究取得新进展，科研团队实现更稳定的量子比特",
    "城市更新行动推进老旧小区改造，居民生活条件改善",
    "夏季用电高峰将至，电网企业提前部署保供措施",
    "短视频平台加强未成年人保护，推出新版青少年模式",
    "芯片产业链国产化率提升，关键设备仍待突破",
    "气象部门发布汛期预报，南方部分地区降雨偏多",
    "开源软件供应链安全受关注，行业呼吁建立统一标准",
    "国产操作系统生态扩展，更多应用完成适配迁移",
    "文旅消费持续升温，端午假期出行预订量同比增长",
    "航天工程再传捷报，探测器顺利完成月背采样",
    "医保改革深化，更多创新药纳入报销目录",
]
ZH_SENTENCES = [
    "记者从相关部门获悉，这项工作已在多个城市展开试点，并取得了阶段性成果。",
    "专家表示，下一步需要在标准制定、人才培养和资金投入等方面持续发力。",
    "业内人士认为，随着政策逐步落地，相关产业有望迎来新的发展机遇。",
]
EN_SOURCES = ["Ars Technica", "The Verge", "Hacker News", "BBC Future", "LWN.net", "Nature News"]
ZH_SOURCES = ["少数派", "36氪", "爱范儿", "IT之家", "澎湃新闻"]


def _en_item(n: int, section: str, offset: timedelta) -> Item:
    title = EN_TOPICS[n % len(EN_TOPICS)]
    if n == 1:  # a paid post, as publishers mark them: labelled, never a lead
        title = "[Sponsor] " + title
    summary = " ".join(EN_SENTENCES[(n + k) % len(EN_SENTENCES)] for k in range(3))
    source = EN_SOURCES[n % len(EN_SOURCES)]
    also: tuple[AlsoRef, ...] = ()
    if n % 4 == 0:
        others = [s for s in EN_SOURCES if s != source][:2]
        also = tuple(
            AlsoRef(title=title, url=f"https://{o.lower().replace(' ', '')}.example/{n}", source=o) for o in others
        )
    return Item(
        id=f"en-{n}",
        url=f"https://news.example.com/{section.split()[0].lower()}/{n}-story",
        title=title,
        source=source,
        section=section,
        published=GENERATED - offset,
        dated=True,
        language="en",
        text=summary,
        summary=summary,
        also=also,
    )


def _zh_item(n: int, section: str, offset: timedelta) -> Item:
    title = ZH_TOPICS[n % len(ZH_TOPICS)]
    summary = "".join(ZH_SENTENCES[(n + k) % len(ZH_SENTENCES)] for k in range(2))
    source = ZH_SOURCES[n % len(ZH_SOURCES)]
    also = (
        (AlsoRef(title=title, url=f"https://zh.example.cn/a/{n}", source=ZH_SOURCES[(n + 1) % len(ZH_SOURCES)]),)
        if n % 5 == 0
        else ()
    )
    return Item(
        id=f"zh-{n}",
        url=f"https://zh.example.cn/news/{n}.html",
        title=title,
        source=source,
        section=section,
        published=GENERATED - offset,
        dated=n % 7 != 0,
        language="zh",
        text=summary,
        summary=summary,
        also=also,
    )


def _offset(n: int) -> timedelta:
    """Spread publication times from seconds to several days back, to exercise every relative form."""
    steps = [
        timedelta(seconds=20),
        timedelta(minutes=5),
        timedelta(minutes=59),
        timedelta(hours=1, minutes=2),
        timedelta(hours=5),
    ]
    return steps[n] if n < len(steps) else timedelta(hours=2 + 3 * n)


def _sources() -> tuple[SourceResult, ...]:
    ok = [
        SourceResult(name=s, url=f"https://news.example.com/feeds/{i}.xml", status="ok", items=5)
        for i, s in enumerate(EN_SOURCES)
    ] + [
        SourceResult(name=s, url=f"https://zh.example.cn/rss/{i}.xml", status="ok", items=5)
        for i, s in enumerate(ZH_SOURCES)
    ]
    failed = [
        SourceResult(name="Slow Wire", url="https://slow.example/rss", status="error", error="timeout"),
        SourceResult(
            name="Gone Blog", url="https://gone.example/atom", status="error", error="HTTP 404", failing_days=3
        ),
    ]
    return (*ok, SourceResult(name="Quiet Feed", url="https://quiet.example/rss", status="not_modified"), *failed)


def big_digest(archive_url: str | None = None) -> Digest:
    """60 items in 4 sections (2 English, 1 Chinese, 1 mixed), with the long-URL cases in the mixed one."""
    world = tuple(_en_item(n, "World", _offset(n)) for n in range(15))
    tech = tuple(_zh_item(n, "科技", _offset(n)) for n in range(15))
    science = tuple(_en_item(n + 15, "Science", _offset(n)) for n in range(15))
    mixed = [
        _zh_item(n + 15, "Open source 开源", _offset(n)) if n % 2 else _en_item(n + 30, "Open source 开源", _offset(n))
        for n in range(13)
    ]
    mixed.append(
        Item(
            id="long-url",
            url=LONG_URL,
            title=LONG_URL,
            source="Hacker News",
            section="Open source 开源",
            published=GENERATED - timedelta(hours=30),
            dated=True,
            language="en",
            text="",
            summary=f"Linked without a title; the full address is {LONG_URL} and it must not widen the page.",
        )
    )
    mixed.append(
        Item(
            id="long-token",
            url="https://zh.example.cn/news/token.html",
            title="超长无空格文本测试" * 6,
            source="IT之家",
            section="Open source 开源",
            published=GENERATED - timedelta(days=9),
            dated=True,
            language="zh",
            text="",
            summary="Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
            + "，以及一段很长的中文说明文字用于测试换行。" * 3,
        )
    )
    sections = (
        Section("World", world),
        Section("科技", tech),
        Section("Science", science),
        Section("Open source 开源", tuple(mixed)),
    )
    return Digest(
        title="Morning Brief",
        generated_at=GENERATED,
        since=GENERATED - timedelta(days=1),
        until=GENERATED,
        timezone="Asia/Shanghai",
        language="en",
        sections=sections,
        sources=_sources(),
        stats=Stats(fetched=140, duplicates=23, selected=60),
        archive_url=archive_url,
        left_out=tuple(_en_item(n + 45, "World", _offset(n + 20)) for n in range(3)),
    )


def chinese_digest() -> Digest:
    """A small all-Chinese digest in two sections: no table of contents, Chinese labels throughout."""
    news = tuple(_zh_item(n, "要闻", _offset(n)) for n in range(4))
    tech = tuple(_zh_item(n + 4, "科技", _offset(n + 4)) for n in range(3))
    return Digest(
        title="每日简报",
        generated_at=GENERATED,
        since=GENERATED - timedelta(days=1),
        until=GENERATED,
        timezone="Asia/Shanghai",
        language="zh",
        sections=(Section("要闻", news), Section("科技", tech)),
        sources=(
            SourceResult(name="少数派", url="https://zh.example.cn/feed/sspai", status="ok", items=4),
            SourceResult(name="36氪", url="https://zh.example.cn/feed/36kr", status="ok", items=3),
            SourceResult(
                name="澎湃新闻", url="https://zh.example.cn/feed/thepaper", status="error", error="HTTP 503", failing_days=2
            ),
        ),
        stats=Stats(fetched=20, duplicates=2, selected=7),
        archive_url="https://digest.example.github.io/",
    )


def oversized_chinese_digest() -> Digest:
    """150 Chinese stories with doubled summaries: about 1.5x Gmail's 102 KB clip before trimming."""
    base = chinese_digest()
    template = base.items[0]
    items = tuple(
        replace(template, id=f"zh-{n}", url=f"https://zh.example.cn/n/{n}", summary=template.summary * 2,
                published=template.published - timedelta(minutes=n))
        for n in range(150)
    )
    return replace(base, sections=(Section("要闻", items[:75]), Section("科技", items[75:])))
