"""Issue 18, the parts that need no browser: lead stories and briefs, fair caps, lang tags, honest labels,
the footer, the plaintext order, `layout:` in feeds.yaml and the empty digest's language."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.config import ConfigError, LayoutSettings, parse_config
from digest.models import Digest, Item, Section
from digest.pipeline import _dominant_language
from digest.render import render_html, render_text
from digest.render.langtag import item_tag
from digest.render.layout import brief_line, destination, is_sponsored, unsubscribe_link
from digest.render.view import build_view, run_report
from digest.render.wrap import text_width
from digest.select import fair_shares, select_items
from tests.support import sample_digests as fixture

NOW = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)


def _item(n: int, section: str, source: str, *, title: str = "", language: str = "en", text: str = "",
          url: str = "", minutes: int | None = None) -> Item:
    return Item(
        id=f"{source}-{n}", url=url or f"https://{source.lower()}.example.com/{n}", title=title or f"{source} story {n}",
        source=source, section=section, published=NOW - timedelta(minutes=n if minutes is None else minutes),
        dated=True, language=language, text=text or f"Story {n} from {source}. A second sentence follows here.",
        summary=text or f"Story {n} from {source}. A second sentence follows here.",
        source_index=int(source[1:]) if source[1:].isdigit() else 0,
    )


# ---------------------------------------------------------------------------- a cap never hides a section

@pytest.mark.parametrize(
    ("sizes", "cap", "expected"),
    [
        ({"A": 30, "B": 30, "C": 30, "D": 30}, 40, {"A": 10, "B": 10, "C": 10, "D": 10}),
        ({"A": 50, "B": 2, "C": 30}, 20, {"A": 9, "B": 2, "C": 9}),  # B's unused share goes to the others
        ({"A": 5, "B": 5}, 40, {"A": 5, "B": 5}),  # under the cap: everything
        ({"A": 9, "B": 9, "C": 9}, 2, {"A": 1, "B": 1, "C": 1}),  # more sections than the cap: one each
        ({"A": 10, "B": 10, "C": 10}, 7, {"A": 3, "B": 2, "C": 2}),  # the remainder to the best-ranked section
    ],
)
def test_fair_shares(sizes: dict[str, int], cap: int, expected: dict[str, int]) -> None:
    assert fair_shares(sizes, cap) == expected


def _config(max_items: int, sections: list[str], tmp_path: Path) -> object:
    sources = "".join(
        f"  - name: S{i}\n    url: https://s{i}.example.com/feed\n    section: {name}\n" for i, name in enumerate(sections)
    )
    return parse_config(f"max_items: {max_items}\nper_source: 50\nsources:\n{sources}", tmp_path / "feeds.yaml")


def test_a_total_cap_keeps_every_section_and_keeps_what_did_not_fit(tmp_path: Path) -> None:
    """The old code took the 40 newest, so the slower 'World 国际' section vanished without a word."""
    config = _config(40, ["Tech", "Tech2", "Science", "World 国际"], tmp_path)
    items = [_item(n, "Tech", "S0", minutes=3 * n) for n in range(30)]
    items += [_item(n, "Tech2", "S1", minutes=3 * n + 1) for n in range(30)]
    items += [_item(n, "Science", "S2", minutes=3 * n + 2) for n in range(30)]
    items += [_item(n, "World 国际", "S3", minutes=600 + n) for n in range(8)]  # older than every other story
    sel = select_items(items, config, since=NOW - timedelta(days=1), until=NOW)  # type: ignore[arg-type]
    assert [s.name for s in sel.sections] == ["Tech", "Tech2", "Science", "World 国际"]
    assert [len(s.items) for s in sel.sections] == [11, 11, 10, 8]
    assert sel.count == 40 and len(sel.left_out) == 58 == sel.over_cap
    assert sel.left_out[0].published >= sel.left_out[-1].published  # best-ranked first
    assert set(sel.ranking) == {i.id for s in sel.sections for i in s.items}


# ---------------------------------------------------------------------------- hierarchy

def test_lead_stories_get_cards_the_rest_are_briefs() -> None:
    digest = fixture.big_digest()
    for layout, cards in [(LayoutSettings(), 5), (LayoutSettings(lead=2, lead_per="section"), 8),
                          (LayoutSettings(lead=None), 60), (LayoutSettings(lead=0), 0)]:
        view = build_view(digest, layout=layout)
        assert sum(i.lead for s in view.sections for i in s.items) == cards, layout
        tree = lxml_html.fromstring(render_html(digest, layout=layout).html)
        assert len(tree.xpath("//td[contains(@class, 'card')]")) == cards
        assert len(tree.xpath("//td[contains(@class, 'brief')]")) == 60 - cards


def test_leads_follow_the_ranking_and_skip_sponsored_items() -> None:
    base = fixture.big_digest()
    ids = [i.id for i in base.items]
    ranking = ("en-1", "zh-3", "en-20", *[i for i in ids if i not in ("en-1", "zh-3", "en-20")])
    view = build_view(dataclasses.replace(base, ranking=ranking), layout=LayoutSettings(lead=2))
    items = {i.id: i for s in view.sections for i in s.items}
    assert is_sponsored(base.items[1]) and items["en-1"].sponsored  # "[Sponsor] …" in the fixture
    assert {i for i, v in items.items() if v.lead} == {"zh-3", "en-20"}  # en-1 ranks first but is paid
    sponsored_first = dataclasses.replace(base, sections=(Section("World", (base.items[1], base.items[0])),))
    assert not build_view(sponsored_first).preheader.startswith("[Sponsor]")  # nor the inbox preview line


@pytest.mark.parametrize(
    ("title", "text", "sponsored"),
    [
        ("[Sponsor] Build faster with X", "", True),
        ("Sponsored: A word from our partner", "", True),
        ("【广告】夏季大促", "", True),
        ("新品发布会（赞助）", "", True),
        ("Weekly links", "Sponsored by Acme. This week…", True),
        ("广告市场回暖，品牌投放增加", "", False),  # a story about advertising is not an ad
        ("Sponsorship rules for football clubs change", "", False),
        ("The ad industry's new privacy rules", "", False),
    ],
)
def test_sponsored_items_are_recognised(title: str, text: str, sponsored: bool) -> None:
    assert is_sponsored(_item(1, "S", "A", title=title, text=text or "Plain text.")) is sponsored


def test_sponsored_label_and_destination_site_show_in_both_parts() -> None:
    digest = fixture.big_digest()
    tree = lxml_html.fromstring(render_html(digest).html)
    sponsored_row = tree.xpath("//td[.//a[@href='https://news.example.com/world/1-story']]")[0]
    assert "Sponsored" in sponsored_row.text_content()
    long_url = tree.xpath(f"//td[.//a[@href='{fixture.LONG_URL}']]")[0]  # Hacker News links elsewhere
    assert "Hacker News · on example.org" in long_url.text_content()
    assert "on example" not in tree.xpath("//td[.//a[@href='https://news.example.com/world/0-story']]")[0].text_content()
    text = render_text(digest)
    assert "The Verge · 3 Jun 06:55 · Sponsored" in text
    assert "Hacker News · on example.org" in text


@pytest.mark.parametrize(
    ("item_url", "source_url", "expected"),
    [
        ("https://www.theverge.com/a", "https://www.theverge.com/rss/index.xml", ""),
        ("https://blog.example.co.uk/a", "https://example.co.uk/feed", ""),
        ("https://nytimes.com/2024/x", "https://daringfireball.net/feeds/main", "nytimes.com"),
        ("https://a.example.com/x", "file:///feeds/local.xml", ""),
    ],
)
def test_destination_site(item_url: str, source_url: str, expected: str) -> None:
    assert destination(item_url, source_url) == expected


def test_brief_line_is_the_first_sentence_cut_at_a_word() -> None:
    short = _item(1, "S", "A", text="Short first sentence. And a second one that is not shown.")
    assert brief_line(short) == "Short first sentence."
    long = _item(2, "S", "A", text="This first sentence is far too long to fit on one short line of a brief "
                                  "so it has to be cut somewhere sensible.")
    line = brief_line(long)
    assert line.endswith("…") and len(line) <= 60 and " ".join(line[:-1].split()) in long.text
    zh = _item(3, "S", "A", language="zh", text="记者从相关部门获悉，这项工作已在多个城市展开试点，并取得了阶段性成果，下一步将继续推进。")
    assert brief_line(zh).endswith("…") and len(brief_line(zh)) <= 31


# ---------------------------------------------------------------------------- language

@pytest.mark.parametrize(
    ("title", "language", "tag"),
    [
        ("Rust reaches a milestone", "en", "en"),
        ("国产大模型开源生态加速成长", "zh", "zh-Hans"),
        ("國產大模型開源生態加速成長，開發者社區活躍", "zh", "zh-Hant"),
        ("中文", "zh", "zh-Hans"),  # the same in both scripts
    ],
)
def test_item_lang_tags(title: str, language: str, tag: str) -> None:
    assert item_tag(_item(1, "S", "A", title=title, language=language, text=title)) == tag


def test_every_story_carries_its_own_lang_and_english_uses_latin_fonts_in_a_chinese_digest() -> None:
    digest = dataclasses.replace(fixture.big_digest(), language="zh")
    tree = lxml_html.fromstring(render_html(digest).html)
    assert tree.get("lang") == "zh-Hans"
    rows = tree.xpath("//td[contains(@class, 'card') or contains(@class, 'brief')]")
    by_url = {i.url: i for i in digest.items}
    assert len(rows) == 60
    for row in rows:
        item = by_url[row.xpath(".//h3/a/@href")[0]]
        assert row.get("lang") == ("en" if item.language == "en" else "zh-Hans")
        if item.language == "en":  # the inline fallback for clients that drop <head> styles
            style = row.get("style")
            assert style.index("Segoe UI") < style.index("PingFang SC")
    head = tree.xpath("//style")[0].text
    assert '[lang="en"] { font-family: -apple-system' in head
    assert "另见：" in tree.text_content() and "本期目录" in tree.text_content()


def test_the_font_stack_is_inlined_only_where_clients_need_it() -> None:
    """It was inlined on every text cell: 49 copies of 220 bytes, 8 KB of a 55 KB message."""
    def inline(html: str) -> list[str]:
        return [s for s in lxml_html.fromstring(html).xpath("//@style") if "font-family" in s]

    assert len(inline(render_html(fixture.chinese_digest()).html)) == 2  # the two outer tables
    digest = fixture.big_digest()
    chinese_stories = sum(1 for i in (*digest.items, *digest.left_out) if i.language == "zh")
    assert len(inline(render_html(digest).html)) == 2 + chinese_stories  # + each story not in the digest's language


@pytest.mark.parametrize("title", ["科技早报", "Tech Morning · 科技早报"])
def test_an_empty_or_failed_digest_keeps_its_chinese_labels(title: str) -> None:
    assert _dominant_language([], title) == "zh"
    assert _dominant_language([], "Morning Brief") == "en"
    digest = dataclasses.replace(fixture.chinese_digest(), title=title, sections=(), language=_dominant_language([], title))
    text = render_text(digest)
    assert "这段时间没有新的报道。" in text and "星期一" in text and "0 篇报道" in text


# ---------------------------------------------------------------------------- counts, footer, plaintext

def test_the_report_counts_sources_configured_and_with_stories_and_names_the_quiet_ones() -> None:
    digest = fixture.big_digest()
    assert run_report(digest) == (
        "60 stories from 11 of 14 sources · 3 more did not fit · nothing today from Quiet Feed · "
        "2 sources failed: Slow Wire (timeout), Gone Blog (HTTP 404, failing for 3 days)"
    )
    zh = run_report(digest, "zh")
    assert zh.startswith("60 篇报道，来自 14 个来源中的 11 个 · 另有 3 篇未能收入本期 · 今天没有新内容：Quiet Feed")


def test_a_subscribers_copy_lists_only_what_its_sections_left_out() -> None:
    digest = fixture.big_digest()
    science_only = dataclasses.replace(digest, sections=digest.sections[2:3])  # World's left-out stories are not theirs
    view = build_view(science_only)
    assert view.more_stories == () and view.left_out == 0
    assert "did not fit" not in run_report(science_only)


def test_more_stories_lists_titles_then_a_count_with_the_archive_link() -> None:
    digest = fixture.big_digest(archive_url="https://me.github.io/digest")
    tree = lxml_html.fromstring(render_html(digest, layout=LayoutSettings(more_stories=1)).html)
    assert tree.xpath("//ul[contains(@class, 'more-list')]/li/a/@href") == [digest.left_out[0].url]
    count = tree.xpath("//p[contains(@class, 'more-count')]")[0]
    assert count.text_content().startswith("2 more stories did not fit in this e-mail.")
    assert count.xpath(".//a/@href") == ["https://me.github.io/digest/2024-06-03.html"]


@pytest.mark.parametrize(
    ("url", "sender", "expected"),
    [
        ("https://example.com/unsubscribe", "Tech <digest@example.com>", "https://example.com/unsubscribe"),
        ("https://example.com/u?id={id}", "Tech <digest@example.com>", "mailto:digest@example.com?subject=unsubscribe"),
        ("", "digest@example.com", "mailto:digest@example.com?subject=unsubscribe"),
        ("", "", None),
    ],
)
def test_unsubscribe_link(url: str, sender: str, expected: str | None) -> None:
    assert unsubscribe_link(url, sender) == expected


def test_every_message_has_a_visible_unsubscribe_link_and_says_why(tmp_path: Path) -> None:
    from digest.pipeline import render_digest

    config = parse_config('title: 每日简报\nemail:\n  from: "简报 <digest@example.com>"\n'
                          "sources:\n  - name: A\n    url: https://a.example.com/feed\n", tmp_path / "feeds.yaml")
    html, text, _ = render_digest(fixture.chinese_digest(), config)
    tree = lxml_html.fromstring(html)
    assert tree.xpath("//a[normalize-space(.)='退订']/@href") == ["mailto:digest@example.com?subject=unsubscribe"]
    assert "您收到这封邮件，是因为订阅了“每日简报”。" in tree.text_content()
    assert "退订: mailto:digest@example.com?subject=unsubscribe" in text


def test_plaintext_gives_title_then_blurb_then_url() -> None:
    digest = fixture.big_digest()
    lines = render_text(digest).splitlines()
    first = digest.items[0]
    at = lines.index(f"* {first.title}")
    assert lines[at + 1].startswith(f"  {first.source} · ")
    assert lines[at + 2] == "  The proposal was published on Sunday after months of discussion with"
    url_line = lines.index(f"  {first.url}")
    assert url_line > at + 2 and all(line.startswith("  ") for line in lines[at + 2:url_line])


# ---------------------------------------------------------------------------- feeds.yaml

def test_layout_keys_parse(tmp_path: Path) -> None:
    base = "sources:\n  - name: A\n    url: https://a.example.com/feed\n"
    assert parse_config(base, tmp_path / "f.yaml").layout == LayoutSettings(lead=5, lead_per="digest", more_stories=15)
    config = parse_config("layout:\n  lead: all\n  more_stories: 0\n" + base, tmp_path / "f.yaml")
    assert config.layout == LayoutSettings(lead=None, lead_per="digest", more_stories=0)
    config = parse_config("layout:\n  lead: 2\n  lead_per: section\n" + base, tmp_path / "f.yaml")
    assert (config.layout.lead, config.layout.lead_per) == (2, "section")


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("layout:\n  lead: lots\n", "feeds.yaml: layout.lead: expected a whole number from 0 to 10000, got 'lots', or all"),
        ("layout:\n  lead_per: page\n", "feeds.yaml: layout.lead_per: expected one of digest, section, got 'page'"),
        ("layout:\n  leads: 3\n", "feeds.yaml: layout.leads: unknown key (did you mean 'lead'?)"),
        ("layout:\n  more_stories: -1\n", "feeds.yaml: layout.more_stories: expected a whole number from 0 to 10000"),
        ("layout: cards\n", "feeds.yaml: layout: expected a mapping of keys, got"),
    ],
)
def test_layout_mistakes_are_one_line_errors(tmp_path: Path, yaml_text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(yaml_text + "sources:\n  - name: A\n    url: https://a.example.com/feed\n",
                     tmp_path / "feeds.yaml", "feeds.yaml")
    assert "\n" not in str(info.value) and str(info.value).startswith(expected), str(info.value)


def test_digest_json_stays_schema_1_and_adds_the_ranking_and_what_did_not_fit() -> None:
    from digest.deliver.outbox import digest_from_json
    from digest.render.json_out import digest_to_json

    base = fixture.big_digest()
    digest = dataclasses.replace(base, ranking=tuple(reversed([i.id for i in base.items])))
    doc = digest_to_json(digest)
    assert doc["schema"] == 1 and {"sections", "sources", "stats"} <= set(doc)
    assert doc["sections"][0]["items"][0]["rank"] == 59
    assert [m["url"] for m in doc["left_out"]] == [i.url for i in digest.left_out]
    again = digest_from_json(doc)
    assert again.ranking == digest.ranking  # `digest send` re-renders for section subscribers with the same leads
    assert [i.url for i in again.left_out] == [i.url for i in digest.left_out]


# ---------------------------------------------------------------------------- digest preview

@pytest.mark.parametrize(("build", "width"), [(fixture.big_digest, 80), (fixture.chinese_digest, 80),
                                              (fixture.big_digest, 50)])
def test_preview_fits_the_terminal_and_speaks_the_digests_language(build: object, width: int) -> None:
    import io

    from rich.console import Console

    from digest.cli.show import show_digest

    assert callable(build)
    digest: Digest = build()
    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None, soft_wrap=True)
    show_digest(digest, console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b" not in output  # no escape codes: every line is as wide as it looks
    lines = output.splitlines()
    assert max(text_width(line) for line in lines) <= width
    assert "".join(line.strip() for line in lines).count(fixture.LONG_URL) == (1 if digest.title == "Morning Brief" else 0) * 2
    blurbs = [line for line in lines if line.startswith("    ") and line.strip()]
    assert blurbs  # summaries and brief lines are indented under their title
    if digest.language == "zh":
        assert "2024年6月3日 星期一" in output and "7 篇报道" in output and "另见：" in output
    else:
        assert "Monday, 3 June 2024" in output and "60 stories from 11 of 14 sources" in output.replace("\n", " ")
