"""Sending one day's digest to every recipient exactly once: plan, filter, render, send, record.

The ledger row for a recipient is committed the moment the server accepts that recipient's
message, so a crash after the second of three recipients leaves two rows and a re-run sends to
the third only.  SMTP failures never raise out of `send_digest`: they come back in the report,
one masked line each, so the caller can decide what "sent" means for the day.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..config import Config, EmailSettings
from ..errors import ConfigError
from ..models import Digest
from ..state import ledger
from .message import GMAIL_CLIP_BYTES, build_message, check_subject_template, list_id, message_id, render_subject
from .smtp import Mailer, SendError, SmtpSettings
from .subscribers import Recipient, address_problem, collect_recipients, parse_mailbox

log = logging.getLogger(__name__)

Render = Callable[[Digest], tuple[str, str]]
GIVE_UP_AFTER = 3  # connection failures in a row (each already retried) before the rest are not tried


@dataclass(frozen=True)
class Failure:
    """A recipient the digest did not reach, and why (one line, addresses masked)."""

    recipient: str  # masked
    reason: str
    permanent: bool = False  # the server said no (5xx), rather than "not now"

    def __str__(self) -> str:
        return f"{self.recipient}: {self.reason}"


@dataclass
class DeliveryReport:
    """What one sending pass did; every address in it is masked, so it can be printed and archived."""

    digest_date: date | None
    server: str = ""
    delivered_to: list[str] = field(default_factory=list)
    already_sent_to: list[str] = field(default_factory=list)
    empty_for: list[str] = field(default_factory=list)  # their sections had nothing today
    failed: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    connections: int = 0
    bytes_sent: int = 0
    test_copy: bool = False  # sent with --to: the ledger was not touched

    @property
    def delivered(self) -> int:
        return len(self.delivered_to)

    @property
    def skipped_already_sent(self) -> int:
        return len(self.already_sent_to)

    @property
    def skipped_empty(self) -> int:
        return len(self.empty_for)

    @property
    def reached_anyone(self) -> bool:
        """Today's digest is in at least one inbox: its items count as sent."""
        return self.delivered + self.skipped_already_sent > 0

    @property
    def all_failed(self) -> bool:
        return bool(self.failed) and not self.reached_anyone

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line: `delivered to 2 of 3 recipients; 1 failed: b***@e***.com: recipient refused: 550 …`."""
        total = self.delivered + self.skipped_already_sent + self.skipped_empty + len(self.failed)
        if total == 0:
            return "no recipients"
        parts = [f"delivered to {self.delivered} of {total} recipient{'s' if total != 1 else ''}"]
        if self.skipped_already_sent:
            parts.append(f"{self.skipped_already_sent} already had it")
        if self.skipped_empty:
            parts.append(f"{self.skipped_empty} had nothing new in their sections")
        if self.failed:
            reasons = sorted({f.reason for f in self.failed})
            if len(reasons) == 1 and len(self.failed) > 1:
                parts.append(f"{len(self.failed)} failed: {reasons[0]}")
            else:
                shown = "; ".join(str(f) for f in self.failed[:3])
                more = f"; and {len(self.failed) - 3} more" if len(self.failed) > 3 else ""
                parts.append(f"{len(self.failed)} failed: {shown}{more}")
        return "; ".join(parts)

    def lines(self) -> list[str]:
        """One line per recipient and warning, for a run report."""
        lines = [f"sent      {who}" for who in self.delivered_to]
        lines += [f"had it    {who} (already sent today; --force resends)" for who in self.already_sent_to]
        lines += [f"skipped   {who} (nothing new in their sections)" for who in self.empty_for]
        lines += [f"FAILED    {f}" for f in self.failed]
        lines += [f"warning   {w}" for w in self.warnings]
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.digest_date.isoformat() if self.digest_date else None,
            "server": self.server,
            "delivered": self.delivered_to,
            "already_sent": self.already_sent_to,
            "empty": self.empty_for,
            "failed": [{"recipient": f.recipient, "reason": f.reason, "permanent": f.permanent} for f in self.failed],
            "warnings": self.warnings,
            "test_copy": self.test_copy,
        }


def plan_delivery(
    settings: EmailSettings,
    digest: Digest | None = None,
    *,
    config_file: str = "feeds.yaml",
    base: Path | None = None,
    known_sections: Iterable[str] | None = None,
) -> list[Recipient]:
    """Validate sender, subject and every address up front; ConfigError (one line) names what to fix.

    `base` anchors relative address-file paths in `email.to` (the config's folder);
    `known_sections` (the sections the config can produce) catches typos in subscribers' `sections`.
    Needs no network and no SMTP settings, so it can run before anything is fetched.
    """
    sender_address(settings, config_file=config_file)
    message_domain(settings, config_file=config_file)
    check_subject_template(settings.subject, config_file=config_file)
    if digest is not None:
        render_subject(settings.subject, digest, digest.generated_at.date())
    if not settings.to and not settings.subscribers:
        raise ConfigError(config_file, "email.to",
                          "empty, so there is no one to send to: set DIGEST_TO (for `to: ${DIGEST_TO}`) "
                          "or list addresses under email.to")
    return collect_recipients(settings.to, settings.subscribers, config_file=config_file, base=base,
                              known_sections=known_sections)


def config_sections(config: Config) -> list[str] | None:
    """Section names `config` can produce (for plan_delivery), or None when a listing names them by category."""
    names = []
    for source in config.sources:
        if source.section is None and source.type == "listing":
            return None
        names.append(source.section or source.name)
    return names


def sender_address(settings: EmailSettings, *, config_file: str = "feeds.yaml") -> tuple[str, str]:
    """(display name, address) of `email.from`, or a ConfigError saying how to set it."""
    if not settings.sender.strip():
        raise ConfigError(config_file, "email.from",
                          "empty: set the sender, e.g. from: \"Daily digest <digest@example.com>\" "
                          "(or export the variable its ${VAR} names, e.g. DIGEST_FROM)")
    try:
        return parse_mailbox(settings.sender)
    except ValueError as exc:
        raise ConfigError(config_file, "email.from", str(exc)) from None


def message_domain(settings: EmailSettings, *, config_file: str = "feeds.yaml") -> str:
    """The domain of Message-ID and List-Id: `email.domain`, else the sender's (never this machine's)."""
    if settings.domain.strip():
        domain = settings.domain.strip().lower()
        problem = address_problem(f"x@{domain}")
        if problem:
            raise ConfigError(config_file, "email.domain", f"{domain!r} is not a domain name ({problem})")
        return Recipient(f"x@{domain}").envelope.split("@", 1)[1]
    _, address = sender_address(settings, config_file=config_file)
    return Recipient(address).envelope.rpartition("@")[2].lower()


def for_recipient(digest: Digest, recipient: Recipient) -> Digest:
    """The digest cut down to the sections a subscriber chose (all of it when they chose none)."""
    if not recipient.sections:
        return digest
    sections = tuple(s for s in digest.sections if recipient.wants(s.name))
    selected = sum(len(s.items) for s in sections)
    return dataclasses.replace(digest, sections=sections, stats=dataclasses.replace(digest.stats, selected=selected))


def send_digest(
    conn: sqlite3.Connection | None,
    digest: Digest,
    recipients: Sequence[Recipient],
    render: Render,
    *,
    settings: EmailSettings,
    smtp: SmtpSettings | None = None,
    force: bool = False,
    digest_date: date,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    on_result: Callable[[str, str], None] | None = None,
) -> DeliveryReport:
    """Send `digest` to each recipient not yet in the ledger for `digest_date`, one message each.

    `render(digest_for_one_subscriber) -> (html, text)` is called once per distinct section choice.
    `conn` None sends test copies: the ledger is neither read nor written.  Must be called outside
    a state transaction (each delivery commits on its own).  `on_result(masked, status)` reports
    progress.  SMTP settings default to the DIGEST_SMTP_* environment variables.
    """
    smtp = smtp if smtp is not None else SmtpSettings.from_env()
    sender_name, sender = sender_address(settings)
    domain = message_domain(settings)
    check_subject_template(settings.subject)
    report = DeliveryReport(digest_date=digest_date, server=smtp.describe(), test_copy=conn is None)

    def note(who: str, status: str) -> None:
        if on_result is not None:
            on_result(who, status)

    done = ledger.delivered_keys(conn, digest_date) if conn is not None and not force else set()
    todo: list[Recipient] = []
    for recipient in recipients:
        if recipient.key in done:
            report.already_sent_to.append(recipient.masked)
            note(recipient.masked, "already sent")
        else:
            todo.append(recipient)
    if not todo:
        return report

    rendered: dict[tuple[str, ...], tuple[str, str]] = {}
    header_list_id = list_id(digest.title, domain)
    sender_box = f"{sender_name} <{sender}>" if sender_name else sender
    sender_envelope = Recipient(sender).envelope
    fatal: SendError | None = None
    streak = 0
    with Mailer(smtp, helo=domain, attempts=attempts, sleep=sleep) as mailer:
        for recipient in todo:
            if fatal is not None:
                report.failed.append(Failure(recipient.masked, fatal.reason, fatal.permanent))
                note(recipient.masked, "failed")
                continue
            view = for_recipient(digest, recipient)
            if not view.items:
                report.empty_for.append(recipient.masked)
                note(recipient.masked, "nothing in their sections")
                continue
            shape = tuple(s.name for s in view.sections)
            first_of_shape = shape not in rendered
            if first_of_shape:
                rendered[shape] = render(view)
            html, text = rendered[shape]
            msg_id = message_id(domain, digest_date, recipient, unique=force or conn is None)
            msg = build_message(
                html=html, text=text, subject=render_subject(settings.subject, view, digest_date),
                sender=sender_box, recipient=recipient, message_id=msg_id, sent_at=_now(digest.timezone),
                list_id=header_list_id, unsubscribe_url=settings.unsubscribe_url, language=digest.language,
            )
            if first_of_shape:
                _check_size(msg, view, report)
            try:
                mailer.send(msg, sender=sender_envelope, recipient=recipient.envelope)
            except SendError as exc:
                report.failed.append(Failure(recipient.masked, exc.reason, exc.permanent))
                note(recipient.masked, "failed")
                log.warning("could not send to %s: %s", recipient.masked, exc.reason)
                streak = streak + 1 if exc.connection else 0
                if exc.fatal:
                    fatal = exc
                elif streak >= GIVE_UP_AFTER:
                    fatal = SendError(f"not tried: the {streak} recipients before failed in a row ({exc.reason})",
                                      permanent=False)
                continue
            streak = 0
            if conn is not None:
                ledger.record(conn, digest_date, recipient.key, recipient.masked, msg_id)
            report.delivered_to.append(recipient.masked)
            report.bytes_sent += len(msg.as_bytes())
            note(recipient.masked, "sent")
            log.info("sent the digest to %s", recipient.masked)
        report.connections = mailer.connections
    return report


def _check_size(msg: Any, view: Digest, report: DeliveryReport) -> None:
    html_part = msg.get_payload()[-1]
    size = len(html_part.as_bytes())
    if size > GMAIL_CLIP_BYTES:
        names = ", ".join(s.name for s in view.sections)
        report.warnings.append(f"the HTML part is {size / 1024:.0f} KB (sections: {names}); Gmail clips "
                               f"messages above {GMAIL_CLIP_BYTES // 1024} KB")


def _now(tz_name: str) -> datetime:
    try:
        return datetime.now(ZoneInfo(tz_name))
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now(UTC)
