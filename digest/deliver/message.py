"""One subscriber's e-mail as an `EmailMessage`: headers, subject and MIME structure; pure.

Anything that came from a feed (the headline in the subject, the digest title) is cleaned of
CR/LF and control characters before it reaches a header, so a hostile feed title cannot add
headers.  Each text part is encoded the smaller way: Chinese text triples in quoted-printable,
while base64 grows any text by a third.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import unicodedata
from datetime import date, datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

from ..addresses import parse_mailbox
from ..errors import ConfigError
from ..models import Digest
from .subscribers import Recipient

# SMTP's CRLF policy; `refold_source="none"` keeps the List-Unsubscribe value (set raw, already
# folded between URLs) intact: refolding would turn a long URL into an encoded-word, which breaks it.
POLICY = email_policy.SMTP.clone(refold_source="none")

SUBJECT_FIELDS = ("title", "date", "headline", "count")
MAX_HEADLINE = 90  # characters of the top headline kept in the subject
MAX_SUBJECT = 200
GMAIL_CLIP_BYTES = 102 * 1024  # Gmail hides everything after ~102 KB of HTML behind "[Message clipped]"

_BIDI = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"}
_TRAILING_SEPARATORS = re.compile(r"(?:\s*[·•|:\-–—]\s*)+$")
_LEADING_SEPARATORS = re.compile(r"^(?:\s*[·•|:\-–—]\s*)+")
_SLUG = re.compile(r"[^a-z0-9]+")


def clean_header_text(text: str) -> str:
    """Feed text made safe for one header line: controls, line breaks and bidi overrides -> spaces."""
    cleaned = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI else ch for ch in text
    )
    return " ".join(cleaned.split())


def check_subject_template(template: str, *, config_file: str = "feeds.yaml") -> None:
    """Refuse a subject template with unknown or unsafe `{fields}` before anything is sent."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ConfigError(config_file, "email.subject", f"not a valid template ({exc}); write {{{{ and }}}} for braces") from None
    for name in fields:
        if name not in SUBJECT_FIELDS:
            allowed = ", ".join("{" + f + "}" for f in SUBJECT_FIELDS)
            raise ConfigError(config_file, "email.subject", f"unknown field {{{name}}}; use {allowed}")
    try:
        render_subject(template, None, date(2000, 1, 2))
    except (ValueError, TypeError) as exc:
        raise ConfigError(config_file, "email.subject", f"cannot be filled in ({exc})") from None


def render_subject(template: str, digest: Digest | None, digest_date: date) -> str:
    """The subject line: {title}, {date} (a date: `{date:%d %b}` works), {headline}, {count}."""
    items = digest.items if digest is not None else ()
    headline = clean_header_text(items[0].title) if items else ""
    if len(headline) > MAX_HEADLINE:
        headline = headline[: MAX_HEADLINE - 1].rstrip() + "…"
    values = {
        "title": clean_header_text(digest.title) if digest is not None else "Digest",
        "date": digest_date,
        "headline": headline,
        "count": len(items),
    }
    subject = clean_header_text(template.format_map(values))
    subject = _LEADING_SEPARATORS.sub("", _TRAILING_SEPARATORS.sub("", subject))
    if len(subject) > MAX_SUBJECT:
        subject = subject[: MAX_SUBJECT - 1].rstrip() + "…"
    return subject or clean_header_text(str(values["title"]))


def message_id(domain: str, digest_date: date | None, recipient: Recipient, *, unique: bool = False) -> str:
    """`<digest.20240605.3f2a…@domain>`, the same for a recipient's re-sends of one day's digest.

    A stable id makes a duplicate after an ambiguous failure (the server took the message but the
    connection died before it said so) collapse into one in clients that dedupe by Message-ID,
    as Gmail does.  `unique` (test copies, --force) adds a random part so the copy shows up.
    """
    if not recipient.key:
        raise ValueError("the recipient has no key yet (bind it with keys.Keyring first)")
    stem = f"digest.{digest_date:%Y%m%d}" if digest_date else "digest"
    tag = hashlib.sha256(f"{recipient.key}|{stem}".encode()).hexdigest()[:20]
    extra = f".{secrets.token_hex(6)}" if unique else ""
    return f"<{stem}.{tag}{extra}@{domain}>"


def list_id(title: str, domain: str) -> str:
    """RFC 2919 List-Id: the digest title as the phrase, `<slug.domain>` as the id."""
    slug = _SLUG.sub("-", clean_header_text(title).lower()).strip("-")[:40].strip("-") or "digest"
    phrase = clean_header_text(title)[:60]
    return f"{phrase} <{slug}.{domain}>" if phrase else f"<{slug}.{domain}>"


def unsubscribe_link(url: str, recipient: Recipient) -> str:
    """The https unsubscribe URL for one recipient; `{address}` and `{id}` (keyed, see keys.py) are filled in."""
    if "{id}" in url and not recipient.unsubscribe_id:
        raise ValueError("the recipient has no unsubscribe id yet (bind it with keys.Keyring first)")
    filled = url.replace("{address}", quote(recipient.envelope, safe="@")).replace("{id}", recipient.unsubscribe_id)
    # a header must carry ASCII without spaces; percent-encode anything else
    return quote(filled, safe=":/?#[]@!$&'()*+,;=%-._~")


def encoded_size(content: str, subtype: str = "html") -> int:
    """Bytes a text part takes on the wire, encoded as build_message would encode it."""
    return len(_text_part(content, subtype).as_bytes())


def build_message(
    *,
    html: str,
    text: str,
    subject: str,
    sender: str,
    recipient: Recipient,
    message_id: str,
    sent_at: datetime,
    list_id: str,
    unsubscribe_url: str = "",
    language: str = "",
) -> EmailMessage:
    """multipart/alternative (text first, HTML last: clients show the last part they can) for one recipient."""
    sender_name, sender_address = parse_mailbox(sender)
    sender_box = Recipient(sender_address, sender_name)
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = clean_header_text(subject)
    msg["From"] = _address(sender_box)
    msg["To"] = _address(recipient)
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = message_id
    msg["List-Id"] = list_id
    unsubscribe = [f"<mailto:{sender_box.envelope}?subject=unsubscribe>"]
    if unsubscribe_url:
        unsubscribe.append(f"<{unsubscribe_link(unsubscribe_url, recipient)}>")
    msg.set_raw("List-Unsubscribe", ",\n ".join(unsubscribe))
    if unsubscribe_url:
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"  # the same, for Exchange
    msg["MIME-Version"] = "1.0"
    msg.make_alternative()
    msg.attach(_text_part(text, "plain"))
    msg.attach(_text_part(html, "html"))
    if language:  # after make_alternative, which would move Content-* headers into a part
        msg["Content-Language"] = language
    return msg


def _address(recipient: Recipient) -> Address:
    local, _, domain = recipient.envelope.rpartition("@")
    return Address(display_name=clean_header_text(recipient.name), username=local, domain=domain)


def _text_part(content: str, subtype: str) -> EmailMessage:
    """A text part in 7bit when it is ASCII, else in whichever of quoted-printable and base64 is smaller."""
    if content.isascii():
        return _encode(content, subtype, None)
    candidates = [_encode(content, subtype, cte) for cte in ("quoted-printable", "base64")]
    return min(candidates, key=lambda part: len(str(part.get_payload())))


def _encode(content: str, subtype: str, cte: str | None) -> EmailMessage:
    part = EmailMessage(policy=POLICY)
    part.set_content(content, subtype=subtype, charset="utf-8", cte=cte)
    del part["MIME-Version"]  # belongs on the message, not on each part
    return part
