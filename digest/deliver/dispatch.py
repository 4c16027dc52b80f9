"""Sending one day's digest to every recipient exactly once: plan, filter, render, send, record.

The ledger row for a recipient is committed the moment the server accepts that recipient's
message, so a crash after the second of three recipients leaves two rows and a re-run sends to
the third only.  SMTP failures never raise out of `send_digest`: they come back in the report,
one masked line each, so the caller can decide what "sent" means for the day.

A server that takes the whole message and then drops the connection (or never answers) leaves
the outcome unknown.  That recipient is recorded as *uncertain* and not retried in this run; the
next run of the same digest sends them one more copy with the same Message-ID (mail programs
that see two messages with one id show one), and never a third.
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

from ..addresses import address_problem, parse_mailbox
from ..config import Config, EmailSettings
from ..errors import ConfigError
from ..models import Digest
from ..state import ledger
from ..state import secret as secrets
from .keys import Keyring
from .message import GMAIL_CLIP_BYTES, build_message, check_subject_template, list_id, message_id, render_subject
from .smtp import Mailer, SendError, SmtpSettings
from .subscribers import Recipient, collect_recipients

log = logging.getLogger(__name__)

Render = Callable[[Digest], tuple[str, str]]
GIVE_UP_AFTER = 3  # connection failures in a row (each already retried) before the rest are not tried
GIVE_UP_AFTER_TIMEOUTS = 2  # a server that stalled twice in a row stalls for everyone after them


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
    uncertain: list[Failure] = field(default_factory=list)  # sent whole, never confirmed: may have it
    resent_to: list[str] = field(default_factory=list)  # uncertain before; sent the one more copy now
    maybe_had: list[str] = field(default_factory=list)  # uncertain twice: not sent a third copy
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
    def may_have_delivered(self) -> int:
        """Messages of this pass that are (or, unconfirmed, may be) in an inbox."""
        return self.delivered + len(self.uncertain)

    @property
    def reached_anyone(self) -> bool:
        """Today's digest is (or may be) in at least one inbox: its items count as sent.

        An unconfirmed message counts: the server stored it in the case this models, and the
        next run must re-send that same digest to them, not a new one.
        """
        return self.may_have_delivered + self.skipped_already_sent + len(self.maybe_had) > 0

    @property
    def all_failed(self) -> bool:
        return bool(self.failed) and not self.reached_anyone

    @property
    def ok(self) -> bool:
        return not self.failed and not self.uncertain

    def summary(self) -> str:
        """One line: `delivered to 2 of 3 recipients; 1 failed: b***@e***.com: recipient refused: 550 …`."""
        total = (self.delivered + self.skipped_already_sent + self.skipped_empty + len(self.failed)
                 + len(self.uncertain) + len(self.maybe_had))
        if total == 0:
            return "no recipients"
        parts = [f"delivered to {self.delivered} of {total} recipient{'s' if total != 1 else ''}"]
        if self.resent_to:
            parts.append(f"{len(self.resent_to)} of them a second copy (same Message-ID) after an unconfirmed send")
        if self.uncertain:
            shown = ", ".join(f.recipient for f in self.uncertain[:3]) + (", …" if len(self.uncertain) > 3 else "")
            parts.append(f"{len(self.uncertain)} unconfirmed ({shown}): {self.uncertain[0].reason}; not sent again "
                         "in this run, the next run sends them one more copy with the same Message-ID")
        if self.maybe_had:
            parts.append(f"{len(self.maybe_had)} not sent again (two unconfirmed copies already went out)")
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
        lines += [f"UNSURE    {f} (next run: one more copy, same Message-ID)" for f in self.uncertain]
        lines += [f"had it    {who} (two unconfirmed copies went out; not sent again)" for who in self.maybe_had]
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
            "uncertain": [{"recipient": f.recipient, "reason": f.reason} for f in self.uncertain],
            "resent": self.resent_to,
            "maybe_had": self.maybe_had,
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
    secret: secrets.Secret | None = None,
) -> DeliveryReport:
    """Send `digest` to each recipient not yet in the ledger for `digest_date`, one message each.

    `render(digest_for_one_subscriber) -> (html, text)` is called once per distinct section choice.
    `conn` None sends test copies: the ledger is neither read nor written.  Must be called outside
    a state transaction (each delivery commits on its own).  `on_result(masked, status)` reports
    progress.  SMTP settings default to the DIGEST_SMTP_* environment variables; the secret that
    keys recipients defaults to DIGEST_SECRET, else the state file's.
    """
    smtp = smtp if smtp is not None else SmtpSettings.from_env()
    sender_name, sender = sender_address(settings)
    domain = message_domain(settings)
    check_subject_template(settings.subject)
    report = DeliveryReport(digest_date=digest_date, server=smtp.describe(), test_copy=conn is None)

    def note(who: str, status: str) -> None:
        if on_result is not None:
            on_result(who, status)

    keyring = Keyring(secret if secret is not None else secrets.load(conn))
    recipients = [keyring.bind(r) for r in recipients]
    if conn is not None:
        ledger.adopt(conn, {r.key: (keyring.older_keys(r), r.masked) for r in recipients})
    known = ledger.entries(conn, digest_date) if conn is not None and not force else {}
    todo: list[tuple[Recipient, str | None]] = []  # with the Message-ID of an unconfirmed earlier copy
    for recipient in recipients:
        entry = known.get(recipient.key)
        if entry is None:
            todo.append((recipient, None))
        elif entry.may_resend:
            todo.append((recipient, entry.message_id))
        elif entry.status == ledger.UNCERTAIN:
            report.maybe_had.append(recipient.masked)
            note(recipient.masked, "unconfirmed twice")
        else:
            report.already_sent_to.append(recipient.masked)
            note(recipient.masked, "already sent")
    if not todo:
        return report

    rendered: dict[tuple[str, ...], tuple[str, str]] = {}
    header_list_id = list_id(digest.title, domain)
    sender_box = f"{sender_name} <{sender}>" if sender_name else sender
    sender_envelope = Recipient(sender).envelope
    fatal: SendError | None = None
    streak = timeouts = 0
    with Mailer(smtp, helo=domain, attempts=attempts, sleep=sleep) as mailer:
        for recipient, earlier_id in todo:
            if fatal is None and mailer.remaining() <= 0:
                fatal = mailer.deadline_passed()
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
            msg_id = earlier_id or message_id(domain, digest_date, recipient, unique=force or conn is None)
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
                if exc.uncertain:
                    # the server may have it: never again in this run; the ledger says "maybe"
                    if conn is not None:
                        ledger.record(conn, digest_date, recipient.key, recipient.masked, msg_id,
                                      status=ledger.UNCERTAIN)
                    report.uncertain.append(Failure(recipient.masked, exc.reason))
                    report.bytes_sent += len(msg.as_bytes())
                    note(recipient.masked, "unconfirmed")
                    log.warning("no confirmation for %s: %s", recipient.masked, exc.reason)
                else:
                    report.failed.append(Failure(recipient.masked, exc.reason, exc.permanent))
                    note(recipient.masked, "failed")
                    log.warning("could not send to %s: %s", recipient.masked, exc.reason)
                # a server that took a whole message is up: only stalls and lost connections count
                streak = streak + 1 if exc.connection and (exc.timed_out or not exc.uncertain) else 0
                timeouts = timeouts + 1 if exc.timed_out else 0
                if exc.fatal:
                    fatal = mailer.deadline_passed() if exc.uncertain else exc
                elif timeouts >= GIVE_UP_AFTER_TIMEOUTS:
                    fatal = SendError(f"not tried: {mailer.where} stopped answering ({timeouts} timeouts in a row)",
                                      permanent=False, timed_out=True)
                elif streak >= GIVE_UP_AFTER:
                    fatal = SendError(f"not tried: the {streak} recipients before failed in a row ({exc.reason})",
                                      permanent=False)
                continue
            streak = timeouts = 0
            if conn is not None:
                ledger.record(conn, digest_date, recipient.key, recipient.masked, msg_id)
            if earlier_id is not None:
                report.resent_to.append(recipient.masked)
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
