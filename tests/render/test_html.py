"""The inlined HTML e-mail: structure, escaping, dark mode rules, theming, and Gmail's clip budget."""

from __future__ import annotations

import re
from dataclasses import replace
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
from lxml import html as lxml_html

from digest.config import LayoutSettings
from digest.errors import ConfigError
from digest.models import Item, Section
from digest.render import UNSUBSCRIBE_SLOT, fill_unsubscribe, render_html, render_text
from digest.render.budget import CLIP_LIMIT, WARN_LIMIT, transfer_encoding
from digest.render.view import ranked_ids
from tests.support import paths
from tests.support import sample_digests as fixture


@pytest.fixture(scope="module")
def big() -> str:
    return render_html(fixture.big_digest(archive_url="https://me.github.io/digest")).html


def test_inlined_html_has_no_stylesheet_links_scripts_or_images_without_alt(big: str) -> None:
    tree = lxml_html.fromstring(big)
    assert not tree.xpath("//link[@rel='stylesheet']")
    assert not tree.xpath("//script")
    assert "<script" not in big.lower()
    assert all(img.get("alt") is not None for img in tree.xpath("//img"))
    # every style that can be inlined was: the only <style> left is the head block (media queries, resets)
    styles = tree.xpath("//style")
    assert len(styles) == 1
    assert "@media (prefers-color-scheme: dark)" in styles[0].text
    assert "!important" in styles[0].text  # premailer's strip_important=False kept them


def test_layout_follows_the_email_conventions(big: str) -> None:
    tree = lxml_html.fromstring(big)
    assert tree.get("lang") == "en"
    assert tree.xpath("//*[@role='article']/@lang") == ["en"]
    tables = tree.xpath("//table")
    assert tables and all(t.get("role") == "presentation" for t in tables)
    assert tree.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    assert tree.xpath("//meta[@name='supported-color-schemes']/@content") == ["light dark"]
    colours = re.findall(r"#[0-9a-fA-F]+\b", " ".join(tree.xpath("//@style")))
    assert colours and all(len(c) == 7 for c in colours), "use six-digit hex colours"
    main = tree.xpath("//table[contains(@class, 'main')]/@style")[0]
    assert "font-family" in main and main.index("Segoe UI") < main.index("PingFang SC")  # English first
    for cell in tree.xpath("//td[contains(@class, 'card') or contains(@class, 'brief')]"):
        style = cell.get("style", "")
        if cell.get("lang") == "en":
            assert "font-family" not in style, "an English story inherits the English digest's stack"
        else:  # a Chinese story in an English digest carries its own inline fallback, CJK first
            assert style.index("Noto Sans CJK SC") < style.index("Arial")
    assert "overflow-wrap:anywhere" in main and "word-break:break-word" in main  # inherited by every card


def test_with_lead_all_every_item_is_a_card_with_link_source_time_summary_and_also() -> None:
    digest = fixture.big_digest()
    tree = lxml_html.fromstring(render_html(digest, layout=LayoutSettings(lead=None)).html)
    cards = tree.xpath("//td[contains(@class, 'card')]")
    assert len(cards) == len(digest.items) == 60
    for card, item in zip(cards, digest.items, strict=True):
        link = card.xpath(".//h3/a")[0]
        assert link.get("href") == item.url and link.text_content() == item.title
        meta = card.xpath(".//p[contains(@class, 'meta')]")[0].text_content()
        assert meta.startswith(f"{item.source} · ")
        assert card.xpath(".//p[contains(@class, 'summary')]")[0].text_content() == item.summary
        also = card.xpath(".//p[contains(@class, 'also')]/a")
        assert [(a.text_content(), a.get("href")) for a in also] == [(r.source, r.url) for r in item.also]
        assert card.get("lang") == ("en" if item.language == "en" else "zh-Hans")


def test_header_toc_preheader_and_footer(big: str) -> None:
    tree = lxml_html.fromstring(big)
    assert tree.xpath("//h1")[0].text_content() == "Morning Brief"
    toc = [a.get("href") for a in tree.xpath("//td[@id='contents']//a")]
    assert toc == ["#section-1", "#section-2", "#section-3", "#section-4"]
    assert all(tree.xpath(f"//*[@id='{anchor[1:]}']") for anchor in toc)
    preheader = tree.xpath("//div[contains(@style, 'display:none')]")[0].text_content()
    assert preheader.startswith("Open-source maintainers push for a shared security fund · ")
    footer = tree.xpath("//td[contains(@class, 'footer')]")[0].text_content()
    assert (
        "60 stories from 11 of 14 sources · 3 more did not fit · nothing today from Quiet Feed · "
        "2 sources failed: Slow Wire (timeout), Gone Blog (HTTP 404, failing for 3 days)"
    ) in footer
    assert "You get this e-mail because you subscribed to Morning Brief." in footer
    assert "To stop getting it, reply" in footer
    browser = tree.xpath("//a[normalize-space(.)='View this digest in your browser']/@href")
    assert browser == ["https://me.github.io/digest/2024-06-03.html"]


def test_chinese_digest_has_chinese_labels_and_no_toc_for_two_sections() -> None:
    tree = lxml_html.fromstring(render_html(fixture.chinese_digest()).html)
    assert tree.get("lang") == "zh-Hans"
    assert not tree.xpath("//td[@id='contents']")
    assert "2024年6月3日 星期一" in tree.xpath("//p[contains(@class, 'date')]")[0].text_content()
    assert tree.xpath("//a[normalize-space(.)='在浏览器中查看本期']")


def test_titles_and_summaries_are_escaped() -> None:
    base = fixture.chinese_digest()
    item = replace(
        base.items[0], title="<script>alert(1)</script> & <b>bold</b>", summary='"quoted" <img src=x onerror=1>'
    )
    digest = replace(base, sections=(Section("要闻", (item,)),))
    out = render_html(digest).html
    assert "<script>" not in out and "<img" not in out and "<b>" not in out
    tree = lxml_html.fromstring(out)
    assert tree.xpath("//h3/a")[0].text_content() == item.title
    assert tree.xpath("//p[contains(@class, 'summary')]")[0].text_content() == item.summary


def test_unsubscribe_url_becomes_a_link_a_mailer_can_substitute() -> None:
    slot = "https://example.com/unsubscribe/RECIPIENT-TOKEN"
    tree = lxml_html.fromstring(render_html(fixture.chinese_digest(), unsubscribe_url=slot).html)
    assert tree.xpath("//a[normalize-space(.)='退订']/@href") == [slot]


def test_unsubscribe_slot_is_filled_per_recipient_after_rendering() -> None:
    digest = fixture.chinese_digest()
    html = render_html(digest, unsubscribe_url=UNSUBSCRIBE_SLOT).html
    text = render_text(digest, unsubscribe_url=UNSUBSCRIBE_SLOT)
    url = "https://example.com/u?a=x%40y.example&id=42"
    filled = fill_unsubscribe(html, url, html=True)
    assert lxml_html.fromstring(filled).xpath("//a[normalize-space(.)='退订']/@href") == [url]
    assert f"退订: {url}" in fill_unsubscribe(text, url, html=False)


def test_web_variant_for_the_archive_drops_mail_only_parts() -> None:
    out = render_html(fixture.big_digest(archive_url="https://me.github.io/digest"), web=True)
    tree = lxml_html.fromstring(out.html)
    assert not tree.xpath("//a[normalize-space(.)='View this digest in your browser']")
    assert "To stop, reply" not in out.html
    assert tree.xpath("//link[@rel='alternate']/@href") == ["feed.xml"]
    assert not out.warnings and not out.trimmed


def test_user_templates_override_the_shipped_ones_by_name(tmp_path: Path) -> None:
    (tmp_path / "digest.css").write_text(
        (paths.REPO / "templates" / "digest.css").read_text().replace("#0b57d0", "#aa0000")
    )
    out = render_html(fixture.chinese_digest(), templates=tmp_path).html
    assert "color:#aa0000" in out and "#0b57d0" not in out
    (tmp_path / "digest.html.j2").write_text(
        "<html><body>{{ d.title }} {% for s in d.sections %}{{ s.name }}{% endfor %}"
    )
    assert "每日简报 要闻科技" in render_html(fixture.chinese_digest(), templates=tmp_path).html


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{% for x in d.sections %}", "line 1: template syntax error"),
        ("\n\n{{ d.no_such_thing }}", "line 3: template error"),
    ],
)
def test_broken_user_template_is_one_config_error(tmp_path: Path, template: str, fragment: str) -> None:
    (tmp_path / "digest.html.j2").write_text(template)
    with pytest.raises(ConfigError) as caught:
        render_html(fixture.chinese_digest(), templates=tmp_path)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


# --- Gmail's clip ---------------------------------------------------------------------------------


def test_fixture_is_under_the_clip_and_size_is_what_the_mailer_sends() -> None:
    out = render_html(fixture.big_digest())
    assert out.encoded_size <= CLIP_LIMIT and not out.trimmed and not out.overflow
    message = EmailMessage(policy=SMTP)
    message.set_content("plain")
    message.add_alternative(out.html, subtype="html", cte=out.transfer_encoding)
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    wire = html_part.as_bytes(policy=SMTP)
    body = wire.split(b"\r\n\r\n", 1)[1]
    assert len(body) == out.encoded_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [("English text only, " * 500, "quoted-printable"), ("中文内容，" * 2000, "base64")],
)
def test_the_smaller_transfer_encoding_is_chosen(text: str, expected: str) -> None:
    assert transfer_encoding(f"<p>{text}</p>")[0] == expected


def test_over_the_limit_trims_lowest_ranked_summaries_first() -> None:
    digest = fixture.big_digest()
    cards = LayoutSettings(lead=None)
    full = render_html(digest, layout=cards)
    limit = full.encoded_size - 6000
    out = render_html(digest, limit=limit, layout=cards)
    assert out.encoded_size <= limit
    assert out.trimmed and not out.overflow
    assert list(out.trimmed) == ranked_ids(digest)[: len(out.trimmed)]
    tree = lxml_html.fromstring(out.html)
    kept = {p.getparent().xpath(".//h3/a/@href")[0] for p in tree.xpath("//p[contains(@class, 'summary')]")}
    for item in digest.items:
        assert (item.url in kept) == (item.id not in out.trimmed)
    assert any("left out the summaries of the" in w for w in out.warnings)


def test_far_over_the_limit_moves_overflow_to_more_stories() -> None:
    digest = fixture.big_digest()
    out = render_html(digest, limit=40 * 1024, layout=LayoutSettings(lead=None))
    assert out.encoded_size <= 40 * 1024
    assert len(out.trimmed) == 60 and out.overflow
    assert list(out.overflow) == ranked_ids(digest)[: len(out.overflow)]
    tree = lxml_html.fromstring(out.html)
    assert tree.xpath("//h2[starts-with(normalize-space(.), 'More stories')]")
    titles_only = tree.xpath("//ul[contains(@class, 'more-list')]/li/a/@href")
    by_id = {item.id: item.url for item in digest.items}
    listed = max(0, 15 - len(out.overflow))  # the titles that did not fit max_items follow, up to 15 in all
    cut = len(out.overflow)
    assert sorted(titles_only[:cut]) == sorted(by_id[i] for i in out.overflow)
    assert titles_only[cut:] == [i.url for i in digest.left_out[:listed]]
    assert len(tree.xpath("//td[contains(@class, 'card')]")) == 60 - len(out.overflow)
    assert "“More stories”" in " ".join(out.warnings)


def test_a_real_oversized_digest_stays_under_gmails_clip() -> None:
    """150 Chinese stories (base64 wins) would pass 102 KB; the default limits bring it under with a warning."""
    digest = fixture.oversized_chinese_digest()
    out = render_html(digest)
    assert out.transfer_encoding == "base64"
    assert WARN_LIMIT < out.encoded_size <= CLIP_LIMIT
    assert out.trimmed
    assert any("Gmail" in w for w in out.warnings)


def test_item_type_is_what_the_fixture_uses() -> None:
    assert all(isinstance(i, Item) for i in fixture.big_digest().items)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_empty_digest_still_renders_both_parts(language: str) -> None:
    digest = replace(fixture.chinese_digest(), sections=(), language=language)
    out = render_html(digest)
    text = render_text(digest)
    empty = "No new stories in this window." if language == "en" else "这段时间没有新的报道。"
    assert empty in lxml_html.fromstring(out.html).text_content()
    assert empty in text
    assert not out.warnings and out.encoded_size < 20 * 1024
