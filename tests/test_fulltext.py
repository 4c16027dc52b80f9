"""Full article text: extraction from our own pages, and the fetch path over a real local HTTP server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.config import FetchSettings
from digest.fulltext import extract_main_text, fetch_full_texts
from digest.models import Item
from digest.state import articles, open_state
from tests.support import paths

DATA = paths.DATA / "listing"
SETTINGS = FetchSettings(retries=0, timeout=10, connect_timeout=5)
NOW = 1_717_560_000.0  # 2024-06-05


def item(url: str, text: str = "A short teaser.", title: str = "A title", id_: str | None = None) -> Item:
    return Item(
        id=id_ or url, url=url, title=title, source="src", section="src",
        published=datetime(2024, 6, 5, tzinfo=UTC), dated=True, language="en", text=text,
    )


@pytest.mark.parametrize(
    ("name", "present", "absent"),
    [
        ("article_zh.html", ["在发布会上，研发负责人表示", "价格较此前下调约三成"], ["关于我们", "相关推荐", "版权所有", "首页"]),
        ("article_en.html", ["Write-ahead logging lets readers", "kept them simple from the start"],
         ["Privacy policy", "Great post, thanks", "About me"]),
    ],
)
def test_extract_main_text(name: str, present: list[str], absent: list[str]) -> None:
    text = extract_main_text((DATA / name).read_text(encoding="utf-8"), "https://news.example.cn/a/1.html")
    assert text is not None
    for segment in present:
        assert segment in text
    for segment in absent:
        assert segment not in text
    assert "\n\n" in text  # paragraphs stay paragraphs


@pytest.mark.parametrize("html", ["", "   ", "<html><body><p>Too short.</p></body></html>", "<<<>>>\x00"])
def test_extract_nothing(html: str) -> None:
    assert extract_main_text(html, "https://x.example/") is None


def serve_articles(http_server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "zh": http_server.add("/zh.html", (DATA / "article_zh.html").read_bytes(), content_type="text/html; charset=utf-8"),
        "en": http_server.add("/en.html", (DATA / "article_en.html").read_bytes(), content_type="text/html"),
        "pdf": http_server.add("/doc.pdf", b"%PDF-1.4 not html", content_type="application/pdf"),
        "stub": http_server.add("/stub.html", b"<html><body><p>Subscribe!</p></body></html>", content_type="text/html"),
        "gone": http_server.url("/gone.html"),
    }


def test_private_addresses_are_refused_unless_allowed(http_server) -> None:  # type: ignore[no-untyped-def]
    urls = serve_articles(http_server)
    result = fetch_full_texts([item(urls["en"])], fetch_settings=SETTINGS, allow_hosts=(), conn=None, now=NOW)
    assert dict(result) == {}
    assert "refused" in result.errors[urls["en"]]
    assert http_server.log == []  # the request never reached the server


def test_fetches_extracts_and_falls_back(http_server) -> None:  # type: ignore[no-untyped-def]
    urls = serve_articles(http_server)
    long_teaser = "x" * 5000
    items = [
        item(urls["zh"]),
        item(urls["en"], title="SQLite is enough for most side projects"),
        item(urls["pdf"]), item(urls["stub"]), item(urls["gone"]),
        item(urls["zh"] + "?again", text=long_teaser),  # its own text is longer: kept
    ]
    result = fetch_full_texts(items, fetch_settings=SETTINGS, allow_hosts=(http_server.base.removeprefix("http://"),), conn=None, now=NOW)
    assert set(result) == {urls["zh"], urls["en"]}
    assert result[urls["zh"]].startswith("本周，多家国内厂商")
    assert result[urls["en"]].startswith("Before reaching for a database server")  # the repeated headline is dropped
    assert result.errors[urls["pdf"]] == "not an HTML page (application/pdf)"
    assert result.errors[urls["stub"]] == "no main text found on the page"
    assert "404" in result.errors[urls["gone"]]
    cached = {a.url: a.text for a in result.to_cache}
    assert set(cached) == {urls["zh"], urls["en"], urls["pdf"], urls["stub"], urls["zh"] + "?again"}  # not the 404
    assert cached[urls["stub"]] is None


def test_cache_in_the_state_file(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    urls = serve_articles(http_server)
    state = open_state(tmp_path / "state.sqlite")
    items = [item(urls["zh"]), item(urls["stub"])]
    first = fetch_full_texts(items, fetch_settings=SETTINGS, allow_hosts=(http_server.base.removeprefix("http://"),), conn=state.conn, now=NOW)
    with state.transaction() as conn:
        articles.put_many(conn, first.to_cache)
    requests_before = len(http_server.log)

    second = fetch_full_texts(items, fetch_settings=SETTINGS, allow_hosts=(http_server.base.removeprefix("http://"),), conn=state.conn, now=NOW + 3600)
    assert len(http_server.log) == requests_before  # both answered from the cache, the failure too
    assert dict(second) == dict(first) and second.to_cache == []
    assert second.errors[urls["stub"]] == "no main text found on the page"

    # a day later the failed page is tried again; the good one is still cached
    third = fetch_full_texts(items, fetch_settings=SETTINGS, allow_hosts=(http_server.base.removeprefix("http://"),), conn=state.conn,
                             now=NOW + articles.FAILURE_TTL + 1)
    assert [p for p, _, _ in http_server.log[requests_before:]] == ["/stub.html"]
    assert dict(third) == dict(first)
    state.close()


def test_links_found_in_content_never_read_files(http_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.html"
    secret.write_text("<html><body><article><p>" + "SECRET " * 100 + "</p></article></body></html>")
    http_server.add("/to-file", b"", status=302, headers={"Location": secret.as_uri()}, content_type="text/html")
    http_server.add("/to-private", b"", status=302, headers={"Location": "http://10.255.255.1/admin"}, content_type="text/html")
    items = [
        item(secret.as_uri()), item(str(secret)), item("javascript:alert(1)"),
        item(http_server.url("/to-file")), item(http_server.url("/to-private")),
    ]
    result = fetch_full_texts(items, fetch_settings=SETTINGS, allow_hosts=(http_server.base.removeprefix("http://"),), conn=None, now=NOW)
    assert dict(result) == {}
    assert result.errors[secret.as_uri()].startswith("not an http(s) link")
    assert result.errors[str(secret)].startswith("not an http(s) link")
    assert result.errors["javascript:alert(1)"].startswith("not an http(s) link")
    assert result.errors[http_server.url("/to-file")]  # a redirect to file: is not followed
    assert "refused" in result.errors[http_server.url("/to-private")]
    assert not any("SECRET" in (a.text or "") for a in result.to_cache)


def test_extraction_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """trafilatura gets a string and a URL for context; it must never try to fetch that URL."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("extraction opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    html = (DATA / "article_en.html").read_text(encoding="utf-8")
    assert extract_main_text(html, "https://blog.example.org/writing/posts/sqlite-is-enough.html")


_BODY = ("<p>The expansion will be paid for from the company's cash reserves, its finance chief said in a statement.</p>"
         "<p>Analysts said the move was expected after a strong year for European sales of its software.</p>")


# Pairs that stay apart: shapes from html/listing/feedless/14-linkace-org.html and
# DaringFireball-home.html (a name or URL in lower case), and a sentence that did end.
_APART = [
    ("Added 1 year ago", "a11yresources - A growing list of accessibility tools and resources"),
    ("Added 3 years ago", "sourcebuster.js sbjs.rocks/#"),
    ("It was a long week for the team.", "then again, nobody expected otherwise."),
]


@pytest.mark.parametrize(("broken", "whole"), [
    (("The company said on Monday that it would", "expand its operations in Europe, adding 500 jobs over the next two years."),
     "The company said on Monday that it would expand its operations in Europe, adding 500 jobs over the next two years."),
    (("Shares rose 4%,", "their best day since March, after the results were published."),
     "Shares rose 4%, their best day since March, after the results were published."),
])
def test_a_sentence_broken_over_two_paragraphs_is_joined(broken: tuple[str, str], whole: str) -> None:
    blocks = "".join(f"<p>{p}</p>" for pair in [broken, *_APART] for p in pair)
    text = extract_main_text(f"<html><body><article><h1>Expansion</h1>{blocks}{_BODY}</article></body></html>", "")
    assert text is not None
    paragraphs = text.split("\n\n")
    assert whole in paragraphs
    for first, second in _APART:
        assert first in paragraphs and second in paragraphs


# Pairs the join must leave apart: a label over what it labels (a recipe page's "Ingredients"), and
# a Chinese paragraph ending in a Latin word over one starting in lower case (a release note).
@pytest.mark.parametrize(("first", "second"), [
    ("Ingredients", "salt and pepper, to taste"),
    ("苹果今天向开发者推送了新的测试版系统，这次更新修复了多个已知问题，版本号为 iOS 18",
     "beta 版本目前只向注册开发者开放，正式版预计将在秋季发布会之后推送给所有用户。"),
])
def test_a_label_or_a_chinese_paragraph_is_not_joined_to_the_next(first: str, second: str) -> None:
    page = f"<html><body><article><h1>Notes</h1><p>{first}</p><p>{second}</p>{_BODY}</article></body></html>"
    text = extract_main_text(page, "")
    assert text is not None
    paragraphs = text.split("\n\n")
    assert first in paragraphs and second in paragraphs


# Prose that mentions an app store is the article's; the site's own prompt (喷嚏网's feed footer,
# feeds/rssant/dapenti_blog_iframe.xml) is furniture, as a paragraph of its own.
_PROMPT = ("喷嚏网官方App :【安卓】在 豌豆荚 、360手机助手、小米应用商店，搜索：喷嚏阅读；"
           "<br>【ios】App store里搜索：喷嚏网官方阅读；")
_STORE_PROSE = [
    "据悉，该游戏已于今日在各大平台上线，玩家在应用商店中搜索：“原神”即可下载，首日下载量突破千万。",
    "记者在华为应用市场搜索：“反诈”，发现共有十余款同名应用，其中多款并非官方出品。",
    "Players who search the App Store for “Genshin Impact” can download it today, the publisher said on Monday.",
]


def test_prose_about_an_app_store_stays_and_the_sites_app_prompt_goes() -> None:
    blocks = "".join(f"<p>{p}</p>" for p in [*_STORE_PROSE, _PROMPT])
    text = extract_main_text(f"<html><body><article><h1>新游上线</h1>{blocks}{_BODY}</article></body></html>", "")
    assert text is not None
    paragraphs = text.split("\n\n")
    for paragraph in _STORE_PROSE:
        assert paragraph in paragraphs
    assert "喷嚏阅读" not in text
