"""Issue 19, delivery: a server that hangs up after the message or never answers, against real aiosmtpd.

Nothing is sent twice in a run, an unconfirmed recipient gets at most one more copy (same
Message-ID) on a later run, a stalled server cannot hold the run, and "timed out" is reported
as such.  Every server here is a real one on loopback; every ledger a real SQLite file.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter

import pytest

from digest.config import EmailSettings, Subscriber
from digest.deliver import DeliveryReport, SmtpSettings, plan_delivery, send_digest
from digest.errors import ConfigError
from digest.state import ledger
from tests.support.smtp import DIGEST_DATE, SmtpServer, sample_digest, silent_server, simple_render, smtp_server

FIVE = tuple(f"reader{n}@example.com" for n in range(1, 6))
EMAIL = EmailSettings(sender="Morning brief <digest@example.com>", to=FIVE, domain="digest.example.com")


def send(conn: sqlite3.Connection | None, port: int, *, timeout: float = 10, deadline: float = 300,
         sleeps: list[float] | None = None, people: tuple[str, ...] = FIVE) -> DeliveryReport:
    digest = sample_digest()
    email = EmailSettings(sender=EMAIL.sender, to=people, domain=EMAIL.domain)
    return send_digest(conn, digest, plan_delivery(email, digest), simple_render, settings=email,
                       smtp=SmtpSettings(host="127.0.0.1", port=port, security="none", timeout=timeout,
                                         deadline=deadline),
                       digest_date=DIGEST_DATE, sleep=(sleeps if sleeps is not None else []).append)


def copies(srv: SmtpServer) -> Counter[str]:
    return Counter(srv.handler.recipients)


def message_ids(srv: SmtpServer, rcpt: str) -> list[str]:
    return [str(m.message()["Message-ID"]) for m in srv.handler.messages if m.rcpt_tos == [rcpt]]


# ---------------------------------------------------------------------------- hung up after the message


def test_a_server_that_hangs_up_after_every_message_gets_one_copy_each(conn: sqlite3.Connection) -> None:
    with smtp_server() as srv:
        srv.handler.drop_after_data = True
        sleeps: list[float] = []
        report = send(conn, srv.port, sleeps=sleeps)
    assert copies(srv) == Counter(FIVE), "each of the five tried once, nobody twice"
    assert sleeps == [], "an unconfirmed message is not retried"
    assert report.delivered == 0 and report.failed == [] and len(report.uncertain) == 5
    assert report.connections == 5, "the others go on over a new connection each time"
    assert report.reached_anyone and not report.ok
    assert "closed the connection after the whole message was sent" in report.uncertain[0].reason
    assert "5 unconfirmed" in report.summary() and "same Message-ID" in report.summary()
    assert ledger.count(conn, DIGEST_DATE, ledger.UNCERTAIN) == 5


def test_an_unconfirmed_recipient_gets_one_more_copy_with_the_same_message_id(conn: sqlite3.Connection) -> None:
    bob = FIVE[1]
    with smtp_server() as srv:
        srv.handler.drop_after_data = {bob}
        first = send(conn, srv.port)
        assert first.delivered == 4 and [u.recipient for u in first.uncertain] == [first.uncertain[0].recipient]
        assert first.connections == 2, "after bob's lost answer, the rest went over a new connection"
        assert copies(srv) == Counter(FIVE)

        srv.handler.drop_after_data = False
        second = send(conn, srv.port)
        assert second.delivered == 1 and second.skipped_already_sent == 4 and len(second.resent_to) == 1
        assert copies(srv)[bob] == 2
        first_id, second_id = message_ids(srv, bob)
        assert first_id == second_id, "the one more copy carries the same Message-ID, so clients show one"

        third = send(conn, srv.port)
        assert third.delivered == 0 and third.skipped_already_sent == 5 and third.connections == 0
    assert copies(srv)[bob] == 2
    assert ledger.count(conn, DIGEST_DATE, ledger.SENT) == 5


def test_two_unconfirmed_copies_are_the_most_anyone_gets(conn: sqlite3.Connection) -> None:
    with smtp_server() as srv:
        srv.handler.drop_after_data = True
        send(conn, srv.port)
        again = send(conn, srv.port)
        assert len(again.uncertain) == 5 and len(again.resent_to) == 0
        last = send(conn, srv.port)
    assert copies(srv) == Counter({who: 2 for who in FIVE})
    assert last.connections == 0 and len(last.maybe_had) == 5 and last.reached_anyone
    assert "not sent again" in last.summary()


# ---------------------------------------------------------------------------- servers that never answer


def test_no_greeting_is_reported_as_timed_out_and_is_not_waited_for_again(conn: sqlite3.Connection) -> None:
    with silent_server() as port:
        sleeps: list[float] = []
        started = time.monotonic()
        report = send(conn, port, timeout=0.5, sleeps=sleeps)
        took = time.monotonic() - started
    assert report.all_failed and len(report.failed) == 5
    assert all("timed out" in f.reason for f in report.failed), report.summary()
    assert not any("closed the connection" in f.reason for f in report.failed)
    assert sleeps == [], "a server that did not answer is not asked again in this run"
    assert took < 4, f"one timeout of 0.5 s for the whole run, took {took:.1f} s"


def test_no_answer_after_the_message_is_unconfirmed_and_stops_after_two(conn: sqlite3.Connection) -> None:
    with smtp_server() as srv:
        srv.handler.stall_after_data = True
        started = time.monotonic()
        report = send(conn, srv.port, timeout=0.5)
        took = time.monotonic() - started
    assert copies(srv) == Counter(FIVE[:2]), "nobody twice; the server stopped answering, so three not tried"
    assert len(report.uncertain) == 2 and all("timed out" in u.reason for u in report.uncertain)
    assert [f.reason for f in report.failed] == [f"not tried: 127.0.0.1:{srv.port} stopped answering (2 timeouts in a row)"] * 3
    assert took < 4.5, f"two timeouts of 0.5 s, took {took:.1f} s"


def test_the_sending_pass_has_a_total_deadline(conn: sqlite3.Connection) -> None:
    people = tuple(f"r{n}@example.com" for n in range(20))
    with smtp_server() as srv:
        srv.handler.data_delay = 0.3  # answers every command, slowly
        started = time.monotonic()
        report = send(conn, srv.port, timeout=5, deadline=1.0, people=people)
        took = time.monotonic() - started
    assert 1 <= report.delivered <= 4
    not_tried = [f for f in report.failed if "sending deadline of 1 s passed" in f.reason]
    assert len(not_tried) + report.delivered + len(report.uncertain) == 20 and not_tried
    assert took < 4, f"deadline 1 s, took {took:.1f} s"
    assert ledger.count(conn, DIGEST_DATE) == report.delivered + len(report.uncertain)


def test_a_message_in_flight_at_the_deadline_is_unconfirmed(conn: sqlite3.Connection) -> None:
    people = FIVE[:3]
    with smtp_server() as srv:
        srv.handler.data_delay = 1.0  # the first answer comes at ~1 s, the second would at ~2 s
        started = time.monotonic()
        report = send(conn, srv.port, timeout=5, deadline=1.5, people=people)
        took = time.monotonic() - started
    assert report.delivered == 1 and len(report.uncertain) == 1 and len(report.failed) == 1
    assert "before the sending deadline of 1.5 s" in report.uncertain[0].reason
    assert "sending deadline of 1.5 s passed" in report.failed[0].reason
    assert took < 4, f"deadline 1.5 s, took {took:.1f} s (no polite QUIT after the deadline)"
    assert copies(srv) == Counter(people[:2])


def test_a_deadline_passed_between_messages_ends_the_pass_without_an_error(conn: sqlite3.Connection) -> None:
    """The connection is still open when the deadline passes (a slow render): hang up, report, no exception."""
    email = EmailSettings(sender="digest@example.com", to=("all@example.com",),
                          subscribers=(Subscriber("tech@example.com", ("Tech",)),))
    digest = sample_digest()

    def slow_for_tech(view: object) -> tuple[str, str]:
        from digest.models import Digest

        assert isinstance(view, Digest)
        if [s.name for s in view.sections] == ["Tech"]:
            time.sleep(1.0)  # rendering a big digest takes time, and it counts against the deadline
        return simple_render(view)

    with smtp_server() as srv:
        report = send_digest(conn, digest, plan_delivery(email, digest), slow_for_tech, settings=email,
                             smtp=SmtpSettings(host="127.0.0.1", port=srv.port, security="none", timeout=5,
                                               deadline=0.5), digest_date=DIGEST_DATE)
    assert report.delivered == 1 and len(report.failed) == 1
    assert "sending deadline of 0.5 s passed" in report.failed[0].reason
    assert srv.handler.recipients == ["all@example.com"]


def test_no_backoff_wait_runs_past_the_deadline(conn: sqlite3.Connection) -> None:
    with smtp_server() as srv:
        srv.handler.defer[FIVE[0]] = 99  # "451 try again later", every time
        sleeps: list[float] = []
        report = send(conn, srv.port, deadline=1.5, sleeps=sleeps)
    assert sleeps == [], "a 2 s backoff cannot fit in a 1.5 s deadline"
    assert len(report.failed) == 1 and "451" in report.failed[0].reason
    assert "no time left to retry within DIGEST_SMTP_DEADLINE (1.5 s)" in report.failed[0].reason
    assert report.delivered == 4


@pytest.mark.parametrize(("env", "expected"), [
    ({}, (30.0, 300.0)),
    ({"DIGEST_SMTP_TIMEOUT": "5", "DIGEST_SMTP_DEADLINE": "2m"}, (5.0, 120.0)),
    ({"DIGEST_SMTP_TIMEOUT": "0.5s", "DIGEST_SMTP_DEADLINE": "90"}, (0.5, 90.0)),
])
def test_timeouts_come_from_the_environment(env: dict[str, str], expected: tuple[float, float]) -> None:
    settings = SmtpSettings.from_env({"DIGEST_SMTP_HOST": "smtp.example.com", **env})
    assert (settings.timeout, settings.deadline) == expected


@pytest.mark.parametrize(("env", "expected"), [
    ({"DIGEST_SMTP_TIMEOUT": "soon"}, "DIGEST_SMTP_TIMEOUT: expected seconds"),
    ({"DIGEST_SMTP_DEADLINE": "0"}, "DIGEST_SMTP_DEADLINE: expected more than 0 seconds"),
])
def test_bad_timeouts_name_the_variable(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        SmtpSettings.from_env({"DIGEST_SMTP_HOST": "smtp.example.com", **env})
    assert expected in str(info.value)
