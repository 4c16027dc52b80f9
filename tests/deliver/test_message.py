"""The e-mail each subscriber gets, built without a server: MIME structure, headers, subject, encoding, size."""

from __future__ import annotations

import dataclasses
import email
from datetime import date, datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

import pytest

from digest.deliver import (
    GMAIL_CLIP_BYTES,
    Recipient,
    build_message,
    check_subject_template,
    clean_header_text,
    encoded_size,
    list_id,
    message_id,
    render_subject,
)
from digest.deliver.keys import Keyring
from digest.errors import ConfigError
from digest.models import Digest, Section
from digest.state.secret import Secret
from tests.support.smtp import DIGEST_DATE, sample_digest, simple_render

SENT_AT = datetime(2024, 6, 5, 7, 31, tzinfo=timezone(timedelta(hours=8)))
KEYS = Keyring(Secret(b"a test secret, 32 bytes long...."))


def keyed(address: str, name: str = "") -> Recipient:
    return KEYS.bind(Recipient(address, name))


def build(digest: Digest | None = None, *, recipient: Recipient | None = None, unsubscribe_url: str = "",
          subject: str | None = None) -> EmailMessage:
    digest = digest or sample_digest()
    recipient = recipient or keyed("reader@example.com", "Reader")
    html, text = simple_render(digest)
    return build_message(
        html=html, text=text, subject=subject if subject is not None else render_subject("{title} · {date} · {headline}", digest, DIGEST_DATE),
        sender="Morning brief <digest@example.com>", recipient=recipient,
        message_id=message_id("digest.example.com", DIGEST_DATE, recipient), sent_at=SENT_AT,
        list_id=list_id(digest.title, "digest.example.com"), unsubscribe_url=unsubscribe_url, language=digest.language,
    )


def reparse(msg: EmailMessage) -> EmailMessage:
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_multipart_alternative_text_first_html_last() -> None:
    digest = sample_digest()
    html, text = simple_render(digest)
    msg = reparse(build(digest))
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    # text travels in canonical CRLF form
    assert parts[0].get_content().replace("\r\n", "\n") == text
    assert parts[1].get_content().replace("\r\n", "\n").rstrip("\n") == html
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert msg["MIME-Version"] == "1.0"
    assert all(p["MIME-Version"] is None for p in parts)


def test_headers() -> None:
    raw = build(unsubscribe_url="https://digest.example.com/unsubscribe?id={id}").as_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b""), "CRLF line endings throughout (policy=SMTP)"
    assert raw.isascii(), "every header encoded (RFC 2047), every body part 7-bit safe"
    msg = reparse(build(unsubscribe_url="https://digest.example.com/unsubscribe?id={id}"))
    assert parseaddr(str(msg["From"])) == ("Morning brief", "digest@example.com")
    assert parseaddr(str(msg["To"])) == ("Reader", "reader@example.com")
    assert len(msg.get_all("To") or []) == 1 and msg["Cc"] is None and msg["Bcc"] is None
    assert parsedate_to_datetime(str(msg["Date"])) == SENT_AT
    assert str(msg["Message-ID"]).startswith("<digest.20240605.") and str(msg["Message-ID"]).endswith("@digest.example.com>")
    assert msg["List-Id"] == "Morning brief <morning-brief.digest.example.com>"
    unsubscribe = [u.strip() for u in str(msg["List-Unsubscribe"]).split(",")]
    assert unsubscribe[0] == "<mailto:digest@example.com?subject=unsubscribe>"
    token = keyed("reader@example.com").unsubscribe_id
    assert len(token) == 64 and token != keyed("reader@example.com").key.removeprefix("hmac:")
    assert unsubscribe[1] == f"<https://digest.example.com/unsubscribe?id={token}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Content-Language"] == "en"


def test_without_an_https_unsubscribe_url_there_is_no_one_click_header() -> None:
    msg = reparse(build())
    assert msg["List-Unsubscribe"] == "<mailto:digest@example.com?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] is None


def test_a_long_unsubscribe_url_is_never_mangled_by_folding() -> None:
    url = "https://digest.example.com/lists/morning-brief/unsubscribe?address={address}&token={id}&utm=none"
    msg = reparse(build(unsubscribe_url=url))
    https = str(msg["List-Unsubscribe"]).split(", ")[1]
    token = keyed("reader@example.com").unsubscribe_id
    assert https == f"<https://digest.example.com/lists/morning-brief/unsubscribe?address=reader@example.com&token={token}&utm=none>"
    assert "=?" not in https


def test_non_ascii_subject_is_encoded_and_decodes_back() -> None:
    digest = sample_digest("每日科技摘要", headline="国产大模型发布：推理速度提升两倍")
    msg = build(digest)
    raw_subject = msg.as_bytes().split(b"\r\nFrom:")[0]
    assert b"=?utf-8?" in raw_subject
    assert reparse(msg)["Subject"] == "每日科技摘要 · 2024-06-05 · 国产大模型发布：推理速度提升两倍"


@pytest.mark.parametrize("title", [
    "Breaking\r\nBcc: victim@example.com",
    "Breaking\nBcc: victim@example.com",
    "Breaking\rBcc: victim@example.com",
    "Breaking\u2028Bcc: victim@example.com",
    "Breaking\x85Bcc: victim@example.com",
    "Breaking\x00\x1b[31mBcc: victim@example.com",
])
def test_a_feed_title_cannot_inject_headers(title: str) -> None:
    digest = sample_digest(headline=title)
    msg = build(digest)
    head = msg.as_bytes().split(b"\r\n\r\n", 1)[0]  # the header block (the stand-in body may say anything)
    assert b"\nBcc:" not in head and b"\rBcc:" not in head
    parsed = reparse(msg)
    assert parsed["Bcc"] is None
    assert parsed.keys().count("Subject") == 1
    subject = str(parsed["Subject"])
    assert "Breaking" in subject and "Bcc: victim" in subject  # kept as text, on one line
    assert not any(ch in subject for ch in "\r\n\x00\x1b\u2028\x85")


@pytest.mark.parametrize(("template", "expected"), [
    ("{title} · {date} · {headline}", "Morning brief · 2024-06-05 · Rust 2.0 released"),
    ("{title} ({count} stories)", "Morning brief (4 stories)"),
    ("{date:%d %b %Y}: {headline}", "05 Jun 2024: Rust 2.0 released"),
    ("Digest for {date:%A}", "Digest for Wednesday"),
])
def test_subject_templates(template: str, expected: str) -> None:
    assert render_subject(template, sample_digest(), DIGEST_DATE) == expected


def test_an_empty_digest_drops_the_dangling_separator() -> None:
    empty = dataclasses.replace(sample_digest(), sections=())
    assert render_subject("{title} · {date} · {headline}", empty, DIGEST_DATE) == "Morning brief · 2024-06-05"


def test_a_very_long_headline_is_shortened() -> None:
    subject = render_subject("{headline}", sample_digest(headline="word " * 100), DIGEST_DATE)
    assert len(subject) <= 90 and subject.endswith("…")


@pytest.mark.parametrize(("template", "expected"), [
    ("{title} {nope}", "unknown field {nope}"),
    ("{title.__class__}", "unknown field {title.__class__}"),
    ("{title", "not a valid template"),
    ("{date:%Q}", ""),  # strftime accepts unknown directives on glibc; must not raise either way
])
def test_bad_subject_templates_are_config_errors(template: str, expected: str) -> None:
    if not expected:
        check_subject_template(template)
        return
    with pytest.raises(ConfigError) as info:
        check_subject_template(template)
    assert str(info.value).startswith("feeds.yaml: email.subject: ") and expected in str(info.value)


def test_clean_header_text() -> None:
    assert clean_header_text(" a\r\n\tb \u202eevil\u202c\u2029c ") == "a b evil c"


def test_message_id_is_stable_per_recipient_and_day_unless_unique() -> None:
    alice, bob = keyed("alice@example.com"), keyed("BOB@example.com")
    assert message_id("d.example", DIGEST_DATE, alice) == message_id("d.example", DIGEST_DATE, keyed("Alice@Example.com"))
    assert message_id("d.example", DIGEST_DATE, alice) != message_id("d.example", DIGEST_DATE, bob)
    assert message_id("d.example", DIGEST_DATE, alice) != message_id("d.example", date(2024, 6, 6), alice)
    assert message_id("d.example", DIGEST_DATE, alice, unique=True) != message_id("d.example", DIGEST_DATE, alice, unique=True)
    assert "alice" not in message_id("d.example", DIGEST_DATE, alice)


def test_idn_domains_go_out_as_punycode() -> None:
    msg = reparse(build(recipient=keyed("reader@例子.测试", "读者")))
    assert parseaddr(str(msg["To"])) == ("读者", "reader@xn--fsqu00a.xn--0zwm56d")


def _cjk_digest(items: int) -> Digest:
    base = sample_digest("每日摘要", language="zh")
    para = "人工智能公司今天发布了新一代模型，在推理、编程和多语言任务上的表现均有明显提升。" * 3
    zh = base.sections[2].items[0]
    section = Section("中文", tuple(dataclasses.replace(zh, id=f"zh-{i}", title=f"第{i}条：{zh.title}", summary=para)
                                   for i in range(items)))
    return dataclasses.replace(base, sections=(section,))


def test_cjk_parts_use_base64_when_it_is_smaller_and_english_stays_readable() -> None:
    zh = build(_cjk_digest(20))
    for part in zh.iter_parts():
        assert part["Content-Transfer-Encoding"] == "base64"
        payload = part.get_content()
        assert encoded_size(payload, part.get_content_subtype()) < _qp_size(payload, part.get_content_subtype())
    en = build(sample_digest())
    plain, html = list(en.iter_parts())
    # the English sample carries one Chinese section, still mostly ASCII: quoted-printable is smaller
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert html["Content-Transfer-Encoding"] == "quoted-printable"
    ascii_only = build(dataclasses.replace(sample_digest(), sections=sample_digest().sections[:2]))
    assert [p["Content-Transfer-Encoding"] for p in ascii_only.iter_parts()] == ["7bit", "quoted-printable"]


def _qp_size(content: str, subtype: str) -> int:
    part = EmailMessage(policy=policy.SMTP)
    part.set_content(content, subtype=subtype, cte="quoted-printable")
    return len(part.as_bytes())


def test_a_sixty_item_chinese_digest_stays_under_the_gmail_clip() -> None:
    msg = build(_cjk_digest(60))
    html_part = list(msg.iter_parts())[1]
    assert len(html_part.as_bytes()) < GMAIL_CLIP_BYTES
    assert len(msg.as_bytes()) < 2 * GMAIL_CLIP_BYTES
