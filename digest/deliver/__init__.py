"""E-mail delivery: who gets the digest, the message each one gets, and sending it exactly once.

    plan_delivery(settings, digest)            -> [Recipient]      validate before anything is fetched
    SmtpSettings.from_env()                    -> SmtpSettings     DIGEST_SMTP_* (ConfigError if wrong)
    send_digest(conn, digest, recipients, render, settings=..., digest_date=...) -> DeliveryReport
    build_message(...)                         -> EmailMessage     pure, one recipient

Layers: `subscribers` (addresses, pure), `keys` (HMAC keys, ids and tags, pure) and `message` (MIME,
pure) below `smtp` (the only module that talks to a server) below `dispatch` (ledger + retries + report).
"""

from __future__ import annotations

from ..addresses import mask_address, parse_mailbox
from .dispatch import (
    DeliveryReport,
    Failure,
    config_sections,
    for_recipient,
    message_domain,
    plan_delivery,
    send_digest,
    sender_address,
)
from .message import (
    GMAIL_CLIP_BYTES,
    build_message,
    check_subject_template,
    clean_header_text,
    encoded_size,
    list_id,
    message_id,
    render_subject,
)
from .smtp import Mailer, SendError, SmtpSettings
from .subscribers import Recipient, scrub_addresses

__all__ = [
    "GMAIL_CLIP_BYTES",
    "DeliveryReport",
    "Failure",
    "Mailer",
    "Recipient",
    "SendError",
    "SmtpSettings",
    "build_message",
    "check_subject_template",
    "clean_header_text",
    "config_sections",
    "encoded_size",
    "for_recipient",
    "list_id",
    "mask_address",
    "message_domain",
    "message_id",
    "parse_mailbox",
    "plan_delivery",
    "render_subject",
    "scrub_addresses",
    "send_digest",
    "sender_address",
]
