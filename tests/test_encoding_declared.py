"""Decoding HTML bytes: header, BOM, meta, detection, and the checks that catch a lying declaration."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from digest.encoding import decode_html, decode_html_with_charset, header_charset, meta_charsets
from tests.support import paths

DATA = paths.DATA / "listing"
ZH = "朱镕基题词的图书馆迎来开馆二十周年，城市地铁新线开通，沿线居民出行更便捷。"
FR = "Les élèves ont visité le musée d'Orsay à Paris cet été."


def page(meta: str, text: str) -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


CASES = [
    # (what, body, content-type header, expected charset)
    ("utf-8, no declaration", page("", ZH).encode("utf-8"), None, "utf-8"),
    ("utf-8 declared in the header", page("", ZH).encode("utf-8"), "text/html; charset=UTF-8", "utf-8"),
    ("gbk declared in the header", page("", ZH).encode("gbk"), "text/html; charset=GBK", "gb18030"),
    ("gb2312 label reads as gb18030 (镕 is not in GB2312)", page("", ZH).encode("gbk"), "text/html; charset=gb2312", "gb18030"),
    ("meta charset gbk", page('<meta charset="gbk">', ZH).encode("gbk"), "text/html", "gb18030"),
    ("http-equiv gb2312", page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', ZH).encode("gbk"), None, "gb18030"),
    ("meta says gb2312 but the bytes are UTF-8", page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', ZH).encode("utf-8"), None, "utf-8"),
    ("header says gbk but the bytes are UTF-8", page("", ZH).encode("utf-8"), "text/html; charset=gbk", "utf-8"),
    ("header says utf-8 but the bytes are GBK (meta tells)", page('<meta charset="gbk">', ZH).encode("gbk"), "text/html; charset=utf-8", "gb18030"),
    ("declares utf-8, bytes are GB18030, no other clue: detected", page('<meta charset="utf-8">', ZH * 3).encode("gb18030"), None, "gb18030"),
    ("BOM beats a wrong header", codecs.BOM_UTF8 + page("", ZH).encode("utf-8"), "text/html; charset=gbk", "utf-8"),
    ("UTF-16 with BOM", page("", ZH).encode("utf-16"), None, "utf-16-le"),
    ("xml declaration", ('<?xml version="1.0" encoding="GBK"?>' + page("", ZH)).encode("gbk"), None, "gb18030"),
    ("latin-1 means windows-1252", page('<meta charset="iso-8859-1">', FR).encode("cp1252"), None, "cp1252"),
    ("latin-1 page declared utf-8 falls back", page('<meta charset="utf-8">', FR).encode("cp1252"), None, None),
    ("big5 in the header", page("", "臺灣新聞報導今日天氣晴朗").encode("big5"), "text/html; charset=big5", "big5hkscs"),
]


@pytest.mark.parametrize(("what", "body", "content_type", "charset"), CASES, ids=[c[0] for c in CASES])
def test_decode(what: str, body: bytes, content_type: str | None, charset: str | None) -> None:
    text, used = decode_html_with_charset(body, content_type)
    if charset is not None:
        assert used == charset
    assert "\ufffd" not in text
    expected = FR if "latin" in what else ("臺灣新聞報導今日天氣晴朗" if "big5" in what else ZH)
    assert expected in text


def test_a_few_broken_bytes_in_a_utf8_page_declared_gb2312() -> None:
    """A spliced page: valid UTF-8 except one stray byte must still read as UTF-8, not as GBK mojibake."""
    body = page('<meta charset="gb2312">', ZH * 3).encode("utf-8")
    body = body.replace("。".encode(), b"\xff", 1)
    text, used = decode_html_with_charset(body, None)
    assert used == "utf-8"
    assert ZH[:10] in text


def test_garbage_never_raises() -> None:
    assert isinstance(decode_html(bytes(range(256)) * 10, "text/html; charset=nonsense"), str)
    assert decode_html(b"", None) == ""


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [("text/html; charset=gb2312", "gb18030"), ('text/html; charset="utf-8"', "utf-8"), ("text/html", None),
     ("text/html; charset=x-unknown", None), (None, None), ("text/html;charset=Shift_JIS", "cp932")],
)
def test_header_charset(content_type: str | None, expected: str | None) -> None:
    assert header_charset(content_type) == expected


def test_meta_charsets_order() -> None:
    body = b'<?xml version="1.0" encoding="utf-8"?><html><head><meta charset="gbk"></head></html>'
    assert meta_charsets(body) == ["utf-8", "gb18030"]


@pytest.mark.parametrize("name", ["gb2312_meta_utf8.html", "gbk_page.html", "portal_column.html", "blog_index.html"])
def test_own_fixtures(name: str) -> None:
    text = decode_html((DATA / name).read_bytes(), "text/html")
    assert "\ufffd" not in text
    assert re.search(r"[\u4e00-\u9fff]{4}|[A-Za-z]{4} [A-Za-z]{4}", text)
    if name.startswith("gb"):
        assert "镕" in text


# Pages the corpus notes as declaring one charset and being saved in another.
MISLABELLED = {
    "article/gne/hexun-1.html": "utf-8",
    "article/gne/people-1.html": "utf-8",
    "listing/gerapy/rtfund_xxpl.html": "utf-8",
    "listing/gerapy/netease_international_news.html": "utf-8",
    "article/trafilatura/archive.org.he.xinhuanet.com.25340717.html": "gb18030",
}


def test_corpus_pages(corpus: Path) -> None:
    """Every corpus HTML page decodes with (almost) no replacement characters; Chinese pages read as Chinese."""
    pages = sorted(p for p in (corpus / "html").rglob("*.html") if not p.name.endswith(".feed-snippet.html"))
    assert pages
    report = []
    for path in pages:
        rel = path.relative_to(corpus / "html").as_posix()
        text, used = decode_html_with_charset(path.read_bytes(), None)
        bad = text.count("\ufffd")
        assert bad <= 5, f"{rel}: {bad} replacement characters with {used}"
        if rel in MISLABELLED:
            assert used == MISLABELLED[rel], rel
            assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 500, rel
        report.append(f"{used:10} {bad} {rel}")
    print(f"\n{len(pages)} corpus pages decoded; charsets: "
          + ", ".join(f"{c}={sum(1 for r in report if r.startswith(c))}" for c in ("utf-8", "gb18030")))
