"""Delivery against a real SMTP server (aiosmtpd on loopback): TLS, AUTH, retries and exactly-once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from email.utils import parseaddr
from pathlib import Path

import pytest

from digest.config import EmailSettings, Subscriber
from digest.deliver import DeliveryReport, Recipient, SmtpSettings, plan_delivery, send_digest
from digest.errors import ConfigError
from digest.state import ledger, open_state
from tests.support import paths
from tests.support.raw_server import closed_port
from tests.support.smtp import (
    DIGEST_DATE,
    PASSWORD,
    USER,
    Certs,
    SmtpServer,
    make_certs,
    sample_digest,
    section_names,
    simple_render,
    smtp_server,
    wait_for,
)

# the implicit-TLS test server requires AUTH on a socket aiosmtpd does not know is encrypted
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

REPO = paths.REPO
PEOPLE = ("alice@example.com", "bob@example.org", "carol@example.net")
EMAIL = EmailSettings(sender="Morning brief <digest@example.com>", to=PEOPLE, domain="digest.example.com",
                      unsubscribe_url="https://digest.example.com/unsubscribe?id={id}")


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module")
def name_only_certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A certificate for `localhost` only, so connecting to 127.0.0.1 is a host name mismatch."""
    return make_certs(tmp_path_factory.mktemp("certs-name-only"), ips=())


def untagged(masked: str) -> str:
    """`b***@e***.org#3f2a9c` -> `b***@e***.org` (the tag is keyed with a random secret per state file)."""
    head, _, tag = masked.partition("#")
    assert len(tag) == 6 and int(tag, 16) >= 0, masked
    return head


def plain(srv: SmtpServer) -> SmtpSettings:
    return SmtpSettings(host=srv.host, port=srv.port, security="none", timeout=10)


def send(conn: sqlite3.Connection | None, srv_settings: SmtpSettings, recipients: list[Recipient] | None = None,
         *, email: EmailSettings = EMAIL, force: bool = False, sleeps: list[float] | None = None) -> DeliveryReport:
    digest = sample_digest()
    recipients = recipients if recipients is not None else plan_delivery(email, digest)
    return send_digest(conn, digest, recipients, simple_render, settings=email, smtp=srv_settings, force=force,
                       digest_date=DIGEST_DATE, sleep=(sleeps if sleeps is not None else []).append)


# ---------------------------------------------------------------------------- the happy path


def test_one_message_per_recipient_over_one_connection(server: SmtpServer, conn: sqlite3.Connection) -> None:
    report = send(conn, plain(server))
    assert report.delivered == 3 and report.ok and report.reached_anyone
    assert report.connections == 1
    msgs = server.handler.messages
    assert [m.rcpt_tos for m in msgs] == [[p] for p in PEOPLE]
    assert all(len(m.rcpt_tos) == 1 for m in msgs)
    assert len({m.peer for m in msgs}) == 1, "every message must come over the same connection"
    assert {m.mail_from for m in msgs} == {"digest@example.com"}
    for received, person in zip(msgs, PEOPLE, strict=True):
        message = received.message()
        assert parseaddr(str(message["To"]))[1] == person
        assert message["Bcc"] is None and message["Cc"] is None
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        assert message["Subject"] == "Morning brief · 2024-06-05 · Rust 2.0 released"
        assert str(message["Message-ID"]).endswith("@digest.example.com>")
        assert message["Date"] is not None and message["Auto-Submitted"] == "auto-generated"
        assert message["List-Id"] == "Morning brief <morning-brief.digest.example.com>"
        assert str(message["List-Unsubscribe"]).startswith("<mailto:digest@example.com?subject=unsubscribe>, <https://")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert len(received.data) < 20_000
    assert ledger.count(conn, DIGEST_DATE) == 3
    # the ledger keeps hashes and masked forms, never the address itself
    dump = "\n".join(conn.iterdump())
    assert not any(p in dump for p in PEOPLE)
    assert "a***@e***.com" in dump


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_with_login_and_a_private_ca(certs: Certs, mode: str, tmp_path: Path) -> None:
    with smtp_server(mode, certs, auth=True) as srv:
        settings = SmtpSettings(host="localhost", port=srv.port, security=mode, user=USER, password=PASSWORD,
                                cafile=str(certs.ca), timeout=10)
        report = send(None, settings)
        assert report.delivered == 3, report.summary()
        assert report.connections == 1
        assert all(m.tls and m.authenticated for m in srv.handler.messages)
        assert len(srv.handler.messages) == 3


@pytest.mark.parametrize(("mode", "settings_kwargs", "expected"), [
    ("starttls", {}, "did not verify"),  # the system trust store does not know our CA
    ("ssl", {}, "did not verify"),
    ("starttls", {"host": "127.0.0.1", "with_ca": True, "name_only": True}, "did not verify"),  # name mismatch
    ("starttls", {"with_ca": True, "password": "wrong"}, "refused the login"),
    ("plain_starttls", {"with_ca": True}, "does not offer STARTTLS"),
])
def test_tls_and_login_failures_stop_at_the_first_recipient(
    certs: Certs, name_only_certs: Certs, mode: str, settings_kwargs: dict[str, object], expected: str,
    conn: sqlite3.Connection,
) -> None:
    server_mode = "plain" if mode == "plain_starttls" else mode
    server_certs = name_only_certs if settings_kwargs.get("name_only") else certs
    with smtp_server(server_mode, server_certs, auth=server_mode != "plain") as srv:
        host = str(settings_kwargs.get("host", "localhost"))
        settings = SmtpSettings(
            host=host, port=srv.port, security="starttls" if mode == "plain_starttls" else mode,
            user=USER if server_mode != "plain" else "", password=str(settings_kwargs.get("password", PASSWORD))
            if server_mode != "plain" else "",
            cafile=str(certs.ca) if settings_kwargs.get("with_ca") else None, timeout=10,
        )
        sleeps: list[float] = []
        report = send(conn, settings, sleeps=sleeps)
        assert report.all_failed and len(report.failed) == 3
        assert all(expected in f.reason for f in report.failed), report.summary()
        assert sleeps == [], "a certificate or login failure is not retried"
        assert srv.handler.messages == []
        assert ledger.count(conn, DIGEST_DATE) == 0


# ---------------------------------------------------------------------------- failure paths


def test_server_down_fails_everyone_and_leaves_the_ledger(conn: sqlite3.Connection) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=closed_port(), security="none", timeout=5)
    sleeps: list[float] = []
    report = send(conn, settings, sleeps=sleeps)
    assert report.all_failed and not report.reached_anyone
    assert report.delivered == 0 and len(report.failed) == 3
    assert all("cannot connect to 127.0.0.1" in f.reason for f in report.failed)
    assert sleeps == [2.0, 4.0], "bounded retries with backoff, once for the whole run"
    assert ledger.count(conn, DIGEST_DATE) == 0
    assert "3 failed: cannot connect" in report.summary()


def test_a_refused_recipient_is_retried_on_the_next_run(server: SmtpServer, conn: sqlite3.Connection) -> None:
    server.handler.refuse["bob@example.org"] = "550 5.1.1 <bob@example.org>: mailbox unavailable"
    sleeps: list[float] = []
    first = send(conn, plain(server), sleeps=sleeps)
    assert first.delivered == 2 and first.reached_anyone and not first.all_failed
    assert [untagged(f.recipient) for f in first.failed] == ["b***@e***.org"]
    assert first.failed[0].permanent and "550 5.1.1" in first.failed[0].reason
    assert "bob@example.org" not in first.summary() and "b***@e***.org" in first.failed[0].reason
    assert sleeps == [], "a 5xx answer is final"
    assert first.connections == 1, "a refusal does not cost the connection"
    assert server.handler.recipients == ["alice@example.com", "carol@example.net"]

    del server.handler.refuse["bob@example.org"]
    second = send(conn, plain(server))
    assert second.delivered == 1 and second.skipped_already_sent == 2
    assert server.handler.recipients == ["alice@example.com", "carol@example.net", "bob@example.org"]
    assert ledger.count(conn, DIGEST_DATE) == 3


def test_greylisting_and_a_dropped_connection_are_retried_in_the_same_run(
    server: SmtpServer, conn: sqlite3.Connection
) -> None:
    server.handler.defer["alice@example.com"] = 1  # 451 once
    server.handler.data_answers["bob@example.org"] = ["421 4.3.2 shutting down"]  # the server hangs up on bob once
    sleeps: list[float] = []
    report = send(conn, plain(server), sleeps=sleeps)
    assert report.delivered == 3 and report.ok, report.summary()
    assert sleeps == [2.0, 2.0]
    assert report.connections == 2, "the 421 made the mailer reconnect once"
    assert sorted(server.handler.recipients) == sorted(PEOPLE)


def test_a_recipient_that_keeps_deferring_fails_after_bounded_retries(server: SmtpServer, conn: sqlite3.Connection) -> None:
    server.handler.defer["carol@example.net"] = 99
    sleeps: list[float] = []
    report = send(conn, plain(server), sleeps=sleeps)
    assert report.delivered == 2
    assert [(untagged(f.recipient), f.permanent) for f in report.failed] == [("c***@e***.net", False)]
    assert "451 4.3.0" in report.failed[0].reason and "carol" not in report.failed[0].reason
    assert sleeps == [2.0, 4.0]


def test_the_ledger_skips_todays_recipients_and_force_resends(server: SmtpServer, conn: sqlite3.Connection) -> None:
    send(conn, plain(server))
    again = send(conn, plain(server))
    assert again.delivered == 0 and again.skipped_already_sent == 3 and again.connections == 0
    assert again.reached_anyone and not again.all_failed
    forced = send(conn, plain(server), force=True)
    assert forced.delivered == 3
    ids = [str(m.message()["Message-ID"]) for m in server.handler.messages]
    assert ids[0] != ids[3], "a forced resend gets a new Message-ID so clients show it"
    assert conn.execute("SELECT MIN(sends) FROM deliveries").fetchone()[0] == 2


def test_test_copies_do_not_touch_the_ledger(server: SmtpServer, conn: sqlite3.Connection) -> None:
    report = send(None, plain(server), [Recipient("me@example.com")])
    assert report.delivered == 1 and report.test_copy
    assert ledger.count(conn, DIGEST_DATE) == 0
    real = send(conn, plain(server), [Recipient("me@example.com")])
    assert real.delivered == 1, "a test copy does not count as the day's delivery"


def test_subscribers_get_only_their_sections(server: SmtpServer, conn: sqlite3.Connection) -> None:
    email = EmailSettings(
        sender="digest@example.com", to=("all@example.com",),
        subscribers=(Subscriber("tech@example.com", ("tech",)),
                     Subscriber("zh@example.com", ("中文", "World")),
                     Subscriber("sports@example.com", ("Sports",))),
    )
    rendered: list[tuple[str, ...]] = []

    def render(d: object) -> tuple[str, str]:
        from digest.models import Digest

        assert isinstance(d, Digest)
        rendered.append(tuple(s.name for s in d.sections))
        return simple_render(d)

    digest = sample_digest()
    recipients = plan_delivery(email, digest)
    report = send_digest(conn, digest, recipients, render, settings=email, smtp=plain(server),
                         digest_date=DIGEST_DATE, sleep=lambda seconds: None)
    assert report.delivered == 3 and report.skipped_empty == 1
    by_rcpt = {m.rcpt_tos[0]: m for m in server.handler.messages}
    assert section_names(by_rcpt["all@example.com"]) == ["Tech", "World", "中文"]
    assert section_names(by_rcpt["tech@example.com"]) == ["Tech"]
    assert section_names(by_rcpt["zh@example.com"]) == ["World", "中文"]
    assert by_rcpt["zh@example.com"].message()["Subject"].endswith("Elections in three countries")
    assert "sports@example.com" not in by_rcpt
    assert len(rendered) == 3, "one render per distinct section choice"


def test_a_crash_after_the_second_of_three_recipients(server: SmtpServer, tmp_path: Path) -> None:
    """SIGKILL the sending process when it starts the third message; the re-run sends only that one."""
    state_file = tmp_path / "state.sqlite"
    started = threading.Event()
    holder: dict[str, subprocess.Popen[bytes]] = {}

    def on_mail(count: int) -> str | None:
        if count == 3:
            wait_for(started, "the child process handle")
            holder["proc"].kill()
            return "421 4.3.2 going away"
        return None

    server.handler.on_mail = on_mail
    child = f"""
from tests.support.smtp import DIGEST_DATE, sample_digest, simple_render
from digest.config import EmailSettings
from digest.deliver import SmtpSettings, plan_delivery, send_digest
from digest.state import open_state
email = EmailSettings(sender="digest@example.com", to={PEOPLE!r})
digest = sample_digest()
state = open_state(__import__("pathlib").Path({str(state_file)!r}))
send_digest(state.conn, digest, plan_delivery(email, digest), simple_render, settings=email,
            smtp=SmtpSettings(host="127.0.0.1", port={server.port}, security="none"), digest_date=DIGEST_DATE,
            sleep=lambda s: None)
print("finished")
"""
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))})
    holder["proc"] = proc
    started.set()
    stdout, stderr = proc.communicate(timeout=60)
    assert holder["proc"].returncode == -signal.SIGKILL and b"finished" not in stdout, stderr.decode()
    assert server.handler.recipients == list(PEOPLE[:2])

    state = open_state(state_file)
    try:
        assert ledger.count(state.conn, DIGEST_DATE) == 2
        server.handler.on_mail = None
        email = EmailSettings(sender="digest@example.com", to=PEOPLE)
        report = send(state.conn, plain(server), email=email)
    finally:
        state.close()
    assert report.delivered == 1 and report.skipped_already_sent == 2
    assert [untagged(who) for who in report.delivered_to] == ["c***@e***.net"]
    assert server.handler.recipients == list(PEOPLE)


# ---------------------------------------------------------------------------- settings


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "DIGEST_SMTP_HOST: not set"),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_PORT": "five"}, "DIGEST_SMTP_PORT: expected a port number"),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_PORT": "0"}, "DIGEST_SMTP_PORT: expected a port from 1"),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_SECURITY": "tls"}, "expected ssl, starttls or none"),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_SECURITY": "none"}, "only allowed for a server on this machine"),
    ({"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_SECURITY": "none", "DIGEST_SMTP_USER": "u",
      "DIGEST_SMTP_PASSWORD": "p"}, "would send DIGEST_SMTP_PASSWORD unencrypted"),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_USER": "u"}, "DIGEST_SMTP_PASSWORD: not set, but DIGEST_SMTP_USER is"),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_PASSWORD": "p"}, "DIGEST_SMTP_USER: not set"),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_CAFILE": "{tmp}/missing.pem"}, "DIGEST_SMTP_CAFILE: no such file"),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_CAFILE": "{tmp}/not-a-ca.pem"}, "holds no usable CA certificate"),
])
def test_smtp_settings_errors_name_the_variable(env: dict[str, str], expected: str, tmp_path: Path) -> None:
    env = {k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()}
    (tmp_path / "not-a-ca.pem").write_text("hello\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        SmtpSettings.from_env(env)
    assert expected in str(info.value)
    assert str(info.value).startswith("environment: DIGEST_SMTP_")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("env", "expected"), [
    ({"DIGEST_SMTP_HOST": "smtp.example.com"}, ("smtp.example.com", 587, "starttls")),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_PORT": "465"}, ("smtp.example.com", 465, "ssl")),
    ({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_SECURITY": "SSL"}, ("smtp.example.com", 465, "ssl")),
    ({"DIGEST_SMTP_HOST": "localhost", "DIGEST_SMTP_SECURITY": "none", "DIGEST_SMTP_PORT": "2525"}, ("localhost", 2525, "none")),
    ({"DIGEST_SMTP_HOST": "::1", "DIGEST_SMTP_SECURITY": "none"}, ("::1", 25, "none")),
])
def test_smtp_settings_defaults(env: dict[str, str], expected: tuple[str, int, str]) -> None:
    settings = SmtpSettings.from_env(env)
    assert (settings.host, settings.port, settings.security) == expected


def test_smtp_settings_never_show_the_password() -> None:
    settings = SmtpSettings.from_env({"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_USER": "bot@example.com",
                                      "DIGEST_SMTP_PASSWORD": "hunter2\n"})
    assert settings.password == "hunter2"
    assert "hunter2" not in repr(settings) and "hunter2" not in settings.describe()
    assert settings.describe() == "smtp.example.com:587 (starttls, login b***@e***.com)"


def test_a_context_without_verification_is_refused() -> None:
    import ssl

    loose = ssl.create_default_context()
    loose.check_hostname = False
    loose.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="must verify"):
        SmtpSettings(host="smtp.example.com", context=loose).tls_context()
