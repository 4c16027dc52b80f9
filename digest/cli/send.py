"""`digest send`: e-mail the digest `digest run` last wrote to --out; --dry-run and --to for trying it out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import app, err, out, setup_logging, user_errors

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from ..config import Config
    from ..deliver import DeliveryReport, Recipient
    from ..deliver.outbox import Outbox
    from ..models import Digest


@app.command()
@user_errors
def send(
    config: Annotated[Path, typer.Option("--config", "-c", help="The feeds.yaml to read.", show_default=True)] = Path("feeds.yaml"),
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="The folder `digest run` wrote digest.json/.html/.txt to.")] = Path("out"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show who would get what (addresses masked); connect to nothing.")] = False,
    to: Annotated[str | None, typer.Option("--to", help="Send one test copy to this address only; the delivery ledger is not touched.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Resend to subscribers who already got this digest.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print each SMTP retry.")] = False,
) -> None:
    """E-mail the digest in --out to every subscriber who has not had it yet (once per digest date)."""
    setup_logging(verbose, quiet)
    from ..config import load_config
    from ..deliver import config_sections, plan_delivery, sender_address
    from ..deliver.outbox import load_outbox
    from ..timewindow import local_date

    cfg = load_config(config)
    outbox = load_outbox(out_dir)
    digest_date = local_date(outbox.digest.generated_at, cfg.tz)
    if to is not None:
        sender_address(cfg.email, config_file=cfg.path.name)
        recipients = [_test_recipient(to)]
    else:
        recipients = plan_delivery(cfg.email, outbox.digest, config_file=cfg.path.name, base=cfg.path.parent,
                                   known_sections=config_sections(cfg))
    if dry_run:
        _show_plan(cfg, outbox, recipients, digest_date, test_copy=to is not None, force=force)
        return
    report = _send(cfg, outbox, recipients, digest_date, test_copy=to is not None, force=force, quiet=quiet)
    if not quiet:
        for line in report.warnings:
            err.print(f"warning: {line}", markup=False, highlight=False)
        out.print(f"{digest_date}: {report.summary()}", markup=False, highlight=False)
    if report.failed:
        from ..errors import DeliveryError

        retry = "" if report.test_copy else "; run `digest send` again to retry them (nobody gets it twice)"
        raise DeliveryError(f"{len(report.failed)} of {len(recipients)} not delivered: {report.summary()}{retry}")
    if report.uncertain:
        from ..errors import DeliveryError

        again = "" if report.test_copy else (" The server may have delivered them; `digest send` again sends "
                                             "them one more copy with the same Message-ID, never a third")
        raise DeliveryError(f"{len(report.uncertain)} of {len(recipients)} not confirmed: {report.summary()}.{again}")


def _test_recipient(value: str) -> Recipient:
    from ..deliver import Recipient, parse_mailbox
    from ..errors import ConfigError

    try:
        name, address = parse_mailbox(value)
    except ValueError as exc:
        raise ConfigError("--to", "", str(exc)) from None
    return Recipient(address, name)


def _renderer(cfg: Config, outbox: Outbox) -> Callable[[Digest], tuple[str, str]]:
    """The written files for subscribers who take every section; a fresh render for the others."""
    full = tuple(s.name for s in outbox.digest.sections)

    def render(view: Digest) -> tuple[str, str]:
        if tuple(s.name for s in view.sections) == full:
            return outbox.html, outbox.text
        from ..pipeline import render_digest

        html, text, _ = render_digest(view, cfg)
        return html, text

    return render


def _send(cfg: Config, outbox: Outbox, recipients: list[Recipient], digest_date: date, *,
          test_copy: bool, force: bool, quiet: bool) -> DeliveryReport:
    from ..deliver import SmtpSettings, send_digest

    smtp = SmtpSettings.from_env()
    if not quiet:
        err.print(f"sending the digest of {digest_date} via {smtp.describe()}", markup=False, highlight=False)

    def progress(who: str, status: str) -> None:
        if not quiet:
            err.print(f"  {status:<12} {who}", markup=False, highlight=False)

    render = _renderer(cfg, outbox)
    if test_copy:
        from ..state import open_state, secret

        state = open_state(cfg.state, readonly=True)  # the state's secret: the copy's unsubscribe link is real
        try:
            key = secret.load(state.conn, create=False)
        finally:
            state.close()
        return send_digest(None, outbox.digest, recipients, render, settings=cfg.email, smtp=smtp,
                           digest_date=digest_date, on_result=progress, secret=key)
    from ..errors import StateError
    from ..state import open_state
    from ..state.lock import run_lock

    with run_lock(cfg.state):  # a `digest run --send` on the same state must not send at the same time
        state = open_state(cfg.state)
        try:
            report = send_digest(state.conn, outbox.digest, recipients, render, settings=cfg.email, smtp=smtp,
                                 force=force, digest_date=digest_date, on_result=progress)
            try:
                state.check_still_there()
            except StateError as exc:
                raise StateError(f"{exc}; the digest was sent ({report.summary()}) but its delivery records went "
                                 "into the file that is gone, so sending again may send it twice") from None
            return report
        finally:
            state.close()


def _show_plan(cfg: Config, outbox: Outbox, recipients: list[Recipient], digest_date: date, *,
               test_copy: bool, force: bool) -> None:
    """One plain line per recipient (readable in a CI log): status, masked address, sections, subject."""
    from ..deliver import SmtpSettings, for_recipient, mask_address, render_subject, sender_address
    from ..deliver.keys import Keyring
    from ..errors import ConfigError
    from ..state import ledger, open_state, secret

    digest = outbox.digest
    done: set[str] = set()
    state = open_state(cfg.state, readonly=True)
    try:
        keyring = Keyring(secret.load(state.conn, create=False))
        if not test_copy and not force:
            done = ledger.delivered_keys(state.conn, digest_date)
    finally:
        state.close()
    recipients = [keyring.bind(r) for r in recipients]
    try:
        server = SmtpSettings.from_env().describe()
    except ConfigError as exc:
        server = f"not ready: {exc}"
    _, sender = sender_address(cfg.email, config_file=cfg.path.name)

    def say(line: str) -> None:
        out.print(line, markup=False, highlight=False)

    say(f"digest of {digest_date}: {digest.title!r}, {len(digest.items)} items in {len(digest.sections)} "
        f"sections, from {outbox.folder}")
    say(f"from {mask_address(sender)} via SMTP {server}")
    would = 0
    for recipient in recipients:
        view = for_recipient(digest, recipient)
        sections = ", ".join(recipient.sections) if recipient.sections else "all sections"
        if done.intersection([recipient.key, *keyring.older_keys(recipient)]):
            status = "already sent"
        elif not view.items:
            status = "skip (empty)"
        else:
            status = "test copy" if test_copy else "would send"
            would += 1
        subject = render_subject(cfg.email.subject, view, digest_date) if view.items else "-"
        say(f"  {status:<13} {recipient.masked:<24} {sections} ({len(view.items)} items)  {subject}")
    note = " (--force resends to those already sent)" if len(done) else ""
    say(f"dry run: {would} of {len(recipients)} would get a message{note}; nothing was sent and no server "
        "was contacted")
