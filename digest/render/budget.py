"""Gmail's clip: the size of the HTML part as the mailer will encode it, and the limits we hold it to.

Gmail clips a message whose HTML passes ~102 KB and hides the rest behind "View entire message"
(including the footer with the unsubscribe text).  Size is measured after transfer encoding, where
CJK text triples in quoted-printable (=E4=B8=AD) but grows by a third in base64; the mailer sends
whichever of the two is smaller, so that is what we measure.
"""

from __future__ import annotations

from typing import Literal

TransferEncoding = Literal["quoted-printable", "base64"]

KB = 1024
CLIP_LIMIT = 102 * KB  # where Gmail clips
TRIM_LIMIT = 100 * KB  # what we trim to: room for the per-recipient unsubscribe link and rounding
WARN_LIMIT = 90 * KB  # above this the run report warns


def encoded_length(html: str, cte: TransferEncoding) -> int:
    """Bytes of the HTML body after `cte`, on the wire (CRLF line ends), as the stdlib mailer writes it."""
    from email.message import EmailMessage  # the e-mail package is slow to import; only rendering needs it
    from email.policy import SMTP

    part = EmailMessage(policy=SMTP)
    part.set_content(html, subtype="html", charset="utf-8", cte=cte)
    payload = part.get_payload()
    assert isinstance(payload, str)
    payload = payload.replace("\r\n", "\n")
    return len(payload) + payload.count("\n")


def transfer_encoding(html: str) -> tuple[TransferEncoding, int]:
    """The smaller of quoted-printable and base64 for this HTML, and its encoded size in bytes.

    The mailer should pass this encoding as `cte=` so the size measured here is the size sent.
    """
    qp = encoded_length(html, "quoted-printable")
    b64 = encoded_length(html, "base64")
    return ("quoted-printable", qp) if qp <= b64 else ("base64", b64)


def kb(size: int) -> str:
    return f"{size / KB:.1f} KB"
