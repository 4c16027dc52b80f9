"""One digest per day: the first run that reaches anyone fixes the day's digest, later runs finish it.

A re-run the same day (after a crash, or to retry failed recipients) sends the digest the day
already has to whoever is missing from the ledger; items that are new since then wait for
tomorrow's digest.  `force` sends this run's digest to everyone and makes it the day's.

The day's digest is saved (state/days.py) just before its first send, and forgotten again if
nobody got it: like the ledger, it is a delivery record written as sending happens, so a crash
mid-way finishes *this* digest instead of starting another.  What counts as sent (history) is
left to the caller's one commit at the end of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from ..config import EmailSettings
from ..models import Digest
from ..render import digest_to_json
from ..state import State, days
from .dispatch import DeliveryReport, send_digest
from .outbox import digest_from_json
from .smtp import SmtpSettings
from .subscribers import Recipient


@dataclass(frozen=True)
class DailyDelivery:
    """What a day's sending did, and which digest's items now count as sent."""

    report: DeliveryReport
    # the digest anyone got (or may have got): this run's, or the one the day already had; None if nobody
    sent: Digest | None
    # True when `sent` is this run's digest, so its HTTP validators and items move forward
    this_run: bool


def deliver_daily(
    state: State,
    digest: Digest,
    day: date,
    recipients: Sequence[Recipient],
    render: Callable[[Digest], tuple[str, str]],
    *,
    settings: EmailSettings,
    smtp: SmtpSettings,
    force: bool = False,
) -> DailyDelivery:
    """Send the day's digest (the stored one, else `digest`) to every recipient still missing it."""

    def send(which: Digest) -> DeliveryReport:
        return send_digest(state.conn, which, recipients, render, settings=settings, smtp=smtp, force=force,
                           digest_date=day)

    stored = None if force else days.get(state.conn, day)
    if stored is not None:
        first = digest_from_json(stored)
        report = send(first)
        # recorded again if a crash kept the first run from it: record_sent replaces a digest's rows
        return DailyDelivery(report, first if report.reached_anyone else None, this_run=False)
    with state.transaction() as conn:  # saved before sending: a crash mid-way finishes this digest
        days.save(conn, day, digest_to_json(digest))
    report = send(digest)
    if report.may_have_delivered == 0:
        with state.transaction() as conn:
            days.forget(conn, day)
    # items count as sent once anyone has (or may have) them; if everyone failed, the next run retries
    # them; an unconfirmed recipient must get this same digest again, never a different one
    sent = report.may_have_delivered > 0
    return DailyDelivery(report, digest if sent else None, this_run=sent)
