"""Hostile feed content, end to end: served by a real local server, run through `digest.run`,
checked in the files a subscriber would get.  Each hostile source ends as a one-line error or a
clean item, and the good source beside them still makes it into the digest."""

from __future__ import annotations

import email
import email.policy
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from digest import RunOptions, load_config, run
from tests.support.raw_server import Exchange, RawServer, random_bytes, raw_server

NOW = "2024-06-05T12:00:00+00:00"
SECRET = "SECRET-MARKER-3f9c"


def _rss(items: str, doctype: str = "", title: str = "Feed") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n<rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://example.org/</link>{items}</channel></rss>").encode()


def _item(title: str, link: str, description: str = "Plain text of the story. It has two sentences.",
          pub: str = "Wed, 05 Jun 2024 10:00:00 GMT") -> str:
    return (f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{pub}</pubDate><description>{description}</description></item>")


LAUGHS_DTD = "<!DOCTYPE rss [\n <!ENTITY lol0 \"lol\">\n" + "".join(
    f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10)) + "]>"

SCRIPT_HTML = (
    '<p onclick="alert(1)">Para with a handler.</p><script>alert(2)</script>'
    '<img src="https://img.example/x.png" onerror="alert(3)">'
    '<a href="javascript:alert(4)">js link</a> <a href="JaVaScRiPt:alert(4)">js link 2</a>'
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==">data link</a>'
    '<iframe src="https://evil.example/"></iframe><svg onload="alert(6)"><circle r="1"/></svg>'
    '<style>body { display: none }</style><form action="https://evil.example/"><input name="p"></form>'
    '<object data="https://evil.example/x.swf"></object><a href="https://ok.example/page">safe link</a>'
    "<p>Real sentence one is here. Real sentence two is here too.</p>"
)


def feeds(secret_path: Path, base: str) -> dict[str, tuple[bytes, str]]:
    """Source name -> (body, content type)."""
    rss = "application/rss+xml; charset=utf-8"
    return {
        "good": (_rss(_item("Good news survives", "https://good.example/a")), rss),
        "laughs": (_rss(_item("Laughs &lol9;", "https://laughs.example/1", "&lol9;"), LAUGHS_DTD), rss),
        "xxe": (_rss(_item("XXE &xxe; title", "https://xxe.example/1", "before &xxe; after"),
                     f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret_path.as_uri()}">]>'), rss),
        "xxe-etc": (_rss(_item("Passwd &pw;", "https://xxe.example/2", "&pw;"),
                         '<!DOCTYPE rss [<!ENTITY pw SYSTEM "file:///etc/passwd">]>'), rss),
        "xxe-remote": (_rss(_item("Remote DTD", "https://xxe.example/3"),
                            f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{base}/evil.dtd"> %remote;]>'), rss),
        "script": (_rss(_item("&lt;script&gt;alert(1)&lt;/script&gt;Clickbait &lt;b onmouseover=alert(1)&gt;bold&lt;/b&gt;",
                              "https://script.example/1", f"<![CDATA[{SCRIPT_HTML}]]>")), rss),
        "script-link": (_rss(_item("Link is a script", "javascript:alert(document.cookie)")), rss),
        "crlf": (_rss(_item("Subject line&#13;&#10;Bcc: victim@example.com&#10;X-Evil: 1", "https://crlf.example/1")), rss),
        "bad-utf8": (_rss(_item("Bad \xff\xfe bytes \x01\x02 and \x1b[31m escape \x7f end", "https://utf8.example/1",
                                "Text with \x00 nul and \x0b vertical tab.")).replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"), rss),
        "dates": (_rss(
            _item("Year 9999", "https://dates.example/9999", pub="Fri, 31 Dec 9999 23:59:59 GMT")
            + _item("Epoch", "https://dates.example/1970", pub="Thu, 01 Jan 1970 00:00:00 GMT")
            + _item("Far future", "https://dates.example/2120", pub="Mon, 01 Jan 2120 00:00:00 GMT")
            + _item("Nonsense date", "https://dates.example/nonsense", pub="Someday soon, maybe")), rss),
        "random": (random_bytes(8192), rss),
        "html-page": (b"<!doctype html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>",
                      "text/html; charset=utf-8"),
        "json-nested": (b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": '
                        + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/feed+json"),
        "json-types": (json.dumps({
            "version": "https://jsonfeed.org/version/1.1", "title": 5,
            "items": [{"id": 1, "title": ["x"], "url": 7, "content_html": {"a": 1}}, "a string item", None,
                      {"id": "ok-1", "url": "https://json.example/ok", "title": "Typed right",
                       "content_text": "Fine text. Second sentence.", "date_published": "2024-06-05T09:00:00Z"}],
        }).encode(), "application/feed+json"),
        "empty": (b"", rss),
    }


@dataclass
class Outcome:
    doc: dict[str, Any]
    html: str
    text: str
    result: Any
    server: RawServer

    def source(self, name: str) -> dict[str, Any]:
        return next(s for s in self.doc["sources"] if s["name"] == name)

    def items(self, source: str | None = None) -> list[dict[str, Any]]:
        found = [i for s in self.doc["sections"] for i in s["items"]]
        return [i for i in found if source is None or i["source"] == source]


def _serve(body: bytes, content_type: str) -> Callable[[Exchange], None]:
    return lambda x: x.send(200, body, {"Content-Type": content_type})


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    tmp = tmp_path_factory.mktemp("hostile")
    secret = tmp / "secret.txt"
    secret.write_text(SECRET)
    with raw_server() as server:
        served = feeds(secret, server.base)
        for name, (body, ctype) in served.items():
            server.routes[f"/{name}"] = _serve(body, ctype)
        server.routes["/evil.dtd"] = lambda x: x.send(200, b'<!ENTITY leak "LEAKED-DTD">', {"Content-Type": "application/xml-dtd"})
        lines = ["title: Hostile", "since: all", "max_items: 200", "per_source: 20", f"state: {tmp / 'state.sqlite'}",
                 "sources:"]
        for name in served:
            lines += [f"  - name: {name}", f"    url: {server.url('/' + name)}"]
        config = tmp / "feeds.yaml"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = tmp / "out"
        result = run(load_config(config), RunOptions(out=out, now=NOW))
        yield Outcome(
            doc=json.loads((out / "digest.json").read_text(encoding="utf-8")),
            html=(out / "digest.html").read_text(encoding="utf-8"),
            text=(out / "digest.txt").read_text(encoding="utf-8"),
            result=result,
            server=server,
        )


def _one_line_reason_or_items(outcome: Outcome, name: str) -> None:
    source = outcome.source(name)
    if source["status"] == "error":
        assert source["error"] and "\n" not in source["error"] and len(source["error"]) <= 200
        assert outcome.items(name) == []
    else:
        assert source["status"] == "ok" and source["error"] is None


def test_the_good_source_is_unaffected(outcome: Outcome) -> None:
    [good] = outcome.items("good")
    assert good["title"] == "Good news survives" and good["url"] == "https://good.example/a"
    assert outcome.source("good") == {**outcome.source("good"), "status": "ok", "error": None}


@pytest.mark.parametrize("name", list(feeds(Path("/x"), "http://x")))
def test_every_hostile_source_is_an_error_line_or_clean_items(outcome: Outcome, name: str) -> None:
    _one_line_reason_or_items(outcome, name)


@pytest.mark.parametrize("name", ["random", "html-page", "json-nested", "empty"])
def test_unreadable_bytes_are_per_source_errors(outcome: Outcome, name: str) -> None:
    assert outcome.source(name)["status"] == "error"


def test_billion_laughs_do_not_expand(outcome: Outcome) -> None:
    for item in outcome.items("laughs"):
        assert "lollollol" not in item["title"] + item["summary"]
    assert len(outcome.html) < 2_000_000 and len(json.dumps(outcome.doc)) < 2_000_000


def test_external_entities_are_never_resolved(outcome: Outcome) -> None:
    everything = outcome.html + outcome.text + json.dumps(outcome.doc, ensure_ascii=False)
    assert SECRET not in everything
    assert "root:x:0:0" not in everything and "/bin/bash" not in everything
    assert "LEAKED-DTD" not in everything
    assert outcome.server.hits("/evil.dtd") == 0  # no parser went out to fetch the DTD


def test_nothing_executable_reaches_the_html(outcome: Outcome) -> None:
    import lxml.html

    tree = lxml.html.document_fromstring(outcome.html)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments (Outlook's conditional comments) are not elements
        assert element.tag not in ("script", "iframe", "object", "embed", "form", "input", "svg", "frame", "base"), element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name, value)
            if name in ("href", "src", "action", "formaction", "background", "poster"):
                assert not re.match(r"\s*(javascript|vbscript|data):", value, re.I), (element.tag, name, value)
    # markup in a title is shown as text (escaped by the template) or dropped, never parsed as an element
    assert outcome.items("script")
    # (a brief shows only the summary's first sentence; digest.json carries the whole summary)
    shown = outcome.html + outcome.text + json.dumps(outcome.doc, ensure_ascii=False)
    assert "Real sentence one is here." in shown


def test_script_links_never_become_item_links(outcome: Outcome) -> None:
    for item in outcome.items():
        assert item["url"] == "" or item["url"].startswith(("http://", "https://")), item["url"]  # "": no usable link


def test_line_breaks_in_titles_never_reach_a_header(outcome: Outcome) -> None:
    from digest.deliver.message import build_message, render_subject
    from digest.deliver.subscribers import Recipient

    for item in outcome.items():
        assert "\r" not in item["title"] and "\n" not in item["title"]
    crlf = [i for i in outcome.result.digest.items if i.source == "crlf"]
    assert crlf, "the CR/LF item should be kept, with its title on one line"
    digest = outcome.result.digest
    digest = type(digest)(**{**digest.__dict__, "sections": (type(digest.sections[0])("x", tuple(crlf)),)})
    subject = render_subject("{title} · {date} · {headline}", digest, date(2024, 6, 5))
    message = build_message(html="<p>x</p>", text="x", subject=subject, sender="Digest <digest@example.com>",
                            recipient=Recipient("reader@example.com"), message_id="<1@example.com>",
                            sent_at=digest.generated_at, list_id="<d.example.com>")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert "Bcc: victim@example.com" in str(parsed["Subject"])  # kept as text, on the one line


def test_control_characters_are_stripped(outcome: Outcome) -> None:
    for item in outcome.items():
        for field in ("title", "summary"):
            bad = [c for c in item[field] if unicodedata.category(c) == "Cc" and c not in "\n"]
            assert not bad, (item["title"], field, bad)
    assert "\x1b" not in outcome.text and "\x00" not in outcome.text and "\x00" not in outcome.html


def test_absurd_dates_are_treated_as_undated(outcome: Outcome) -> None:
    items = {i["url"]: i for i in outcome.items("dates")}
    assert set(items) == {f"https://dates.example/{k}" for k in ("9999", "1970", "2120", "nonsense")}
    for item in items.values():
        assert item["published"].startswith("2024-06-05T12:00:00"), item  # first seen = --now


def test_json_feed_with_wrong_types_keeps_its_good_item(outcome: Outcome) -> None:
    items = outcome.items("json-types")
    assert "Typed right" in [i["title"] for i in items]
    # fields of the wrong type are ignored: no link made of the number 7, no item without a title
    for item in items:
        assert item["title"].strip(), item
        assert not item["url"].endswith("/7"), item


def test_every_item_has_a_title_and_a_web_link(outcome: Outcome) -> None:
    for item in outcome.items():
        assert item["title"].strip() and (item["url"] == "" or item["url"].startswith(("http://", "https://"))), item
