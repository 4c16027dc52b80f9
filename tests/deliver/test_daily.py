"""One digest per day (digest/deliver/daily.py), against real aiosmtpd and a real state file.

The first send that reaches anyone fixes the day's digest; a re-run finishes *that* digest for
whoever is missing; nothing about what counts as sent (history) is written here: that is left
to the run's one commit at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.config import EmailSettings
from digest.deliver import SmtpSettings, plan_delivery
from digest.deliver.daily import deliver_daily
from digest.state import State, days, open_state
from tests.support.smtp import DIGEST_DATE, sample_digest, simple_render, smtp_server

PEOPLE = ("ann@example.com", "bob@example.com")
EMAIL = EmailSettings(sender="Morning brief <digest@example.com>", to=PEOPLE, domain="digest.example.com")


@pytest.fixture
def state(tmp_path: Path) -> Iterator[State]:
    opened = open_state(tmp_path / "state.sqlite")
    yield opened
    opened.close()


def _history_rows(state: State) -> int:
    tables = {r[0] for r in state.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return state.conn.execute("SELECT COUNT(*) FROM history").fetchone()[0] if "history" in tables else 0


def test_a_rerun_finishes_the_days_first_digest_and_leaves_history_to_the_commit(state: State) -> None:
    first, second = sample_digest(headline="Rust 2.0 released"), sample_digest(headline="A later story")
    with smtp_server() as srv:
        srv.handler.refuse["bob@example.com"] = "550 5.2.2 mailbox full"
        smtp = SmtpSettings(host="127.0.0.1", port=srv.port, security="none", timeout=10, deadline=60)
        done = deliver_daily(state, first, DIGEST_DATE, plan_delivery(EMAIL, first), simple_render,
                             settings=EMAIL, smtp=smtp)
        assert done.sent is first and done.this_run
        assert srv.handler.recipients == ["ann@example.com"]
        assert days.get(state.conn, DIGEST_DATE) is not None  # kept before sending: a re-run finishes it

        del srv.handler.refuse["bob@example.com"]
        again = deliver_daily(state, second, DIGEST_DATE, plan_delivery(EMAIL, second), simple_render,
                              settings=EMAIL, smtp=smtp)
    assert srv.handler.recipients == ["ann@example.com", "bob@example.com"]  # ann is not sent a second digest
    bob = srv.handler.messages[-1].message().get_body(("plain",))
    assert bob is not None and "Rust 2.0 released" in bob.get_content() and "A later story" not in bob.get_content()
    assert not again.this_run and again.sent is not None
    assert [i.title for i in again.sent.items] == [i.title for i in first.items]
    assert _history_rows(state) == 0  # what counts as sent goes in the run's one final transaction


def test_nobody_reached_forgets_the_day_so_the_next_run_sends_its_own(state: State) -> None:
    digest = sample_digest()
    with smtp_server() as srv:
        for person in PEOPLE:
            srv.handler.refuse[person] = "550 5.1.1 no such user"
        smtp = SmtpSettings(host="127.0.0.1", port=srv.port, security="none", timeout=10, deadline=60)
        done = deliver_daily(state, digest, DIGEST_DATE, plan_delivery(EMAIL, digest), simple_render,
                             settings=EMAIL, smtp=smtp)
    assert done.sent is None and not done.this_run and done.report.all_failed
    assert days.get(state.conn, DIGEST_DATE) is None
