"""`digest run --send` end to end: local feeds over HTTP, a real aiosmtpd server, a real state file.

The promises of issue 7 that only the whole pipeline can keep: items count as sent only once
someone got them, a server that is down changes nothing, a refused recipient is retried on the
next run, and a re-run the same day sends to nobody twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digest.cli import app
from tests.support import paths
from tests.support.http import LocalServer
from tests.support.raw_server import closed_port
from tests.support.smtp import silent_server, smtp_server

DATA = paths.DATA / "core"
NOW = "2024-06-05T12:00:00+00:00"
PEOPLE = "alice@example.com, bob@example.org, carol@example.net"


@pytest.fixture
def project(http_server: LocalServer, write_config: Callable[[str], Path]) -> Path:
    tech = http_server.add("/tech.xml", (DATA / "tech.rss.xml").read_bytes(), etag='"t1"')
    science = http_server.add("/science.atom", (DATA / "science.atom.xml").read_bytes())
    return write_config(
        "title: Send test\n"
        "email:\n"
        "  from: Send test <digest@example.com>\n"
        "  to: ${DIGEST_TO}\n"
        "  domain: example.com\n"
        "sources:\n"
        f"  - name: Tech\n    url: {tech}\n"
        f"  - name: Science\n    url: {science}\n"
    )


def run_send(config: Path, out: Path, port: int, *extra: str, now: str = NOW, quiet: bool = True,
             env: dict[str, str] | None = None) -> tuple[int, str]:
    env = {"DIGEST_TO": PEOPLE, "DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(port),
           "DIGEST_SMTP_SECURITY": "none", "DIGEST_SMTP_USER": "", "DIGEST_SMTP_PASSWORD": "",
           "DIGEST_SMTP_CAFILE": "", "DIGEST_SMTP_TIMEOUT": "", "DIGEST_SMTP_DEADLINE": "", "DIGEST_SECRET": "",
           **(env or {})}
    result = CliRunner().invoke(app, ["run", "--config", str(config), "--out", str(out), "--now", now,
                                      "--send", *(["--quiet"] if quiet else []), *extra], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def history_rows(config: Path) -> int:
    state = config.parent / ".digest" / "state.sqlite"
    if not state.exists():
        return 0
    with sqlite3.connect(state) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM history").fetchone()[0])


def selected(out: Path) -> list[str]:
    doc = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    return [i["title"] for s in doc["sections"] for i in s["items"]]


def test_one_message_per_recipient_and_nothing_twice(project: Path, tmp_path: Path) -> None:
    with smtp_server("plain") as srv:
        code, output = run_send(project, tmp_path / "out", srv.port)
        assert code == 0, output
        assert sorted(srv.handler.recipients) == sorted(a.strip() for a in PEOPLE.split(","))
        assert all(len(m.rcpt_tos) == 1 for m in srv.handler.messages)
        subject = srv.handler.messages[0].message()["Subject"]
        assert subject.startswith("Send test · ")
        # the same day again: the ledger says everyone has it
        code, output = run_send(project, tmp_path / "out2", srv.port, now="2024-06-05T12:30:00+00:00")
        assert code == 0, output
        assert len(srv.handler.messages) == 3
    assert "alice@example.com" not in output  # addresses never reach the terminal output


def test_server_down_changes_nothing_and_the_next_run_sends_the_same_items(project: Path, tmp_path: Path) -> None:
    code, output = run_send(project, tmp_path / "down", closed_port())
    assert code == 4, output
    assert "could not be delivered to anyone" in output and "Traceback" not in output
    assert history_rows(project) == 0
    missed = selected(tmp_path / "down")
    assert missed
    with smtp_server("plain") as srv:
        code, output = run_send(project, tmp_path / "up", srv.port, now="2024-06-05T13:00:00+00:00")
        assert code == 0, output
        assert selected(tmp_path / "up") == missed  # no 304 swallowed them, no history hid them
        assert len(srv.handler.messages) == 3
    assert history_rows(project) > 0


def test_a_refused_recipient_is_retried_on_the_next_run_only(project: Path, tmp_path: Path) -> None:
    with smtp_server("plain") as srv:
        srv.handler.refuse["bob@example.org"] = "550 5.1.1 mailbox unavailable"
        code, output = run_send(project, tmp_path / "a", srv.port)
        assert code == 4, output  # the Action turns red so someone looks
        assert sorted(srv.handler.recipients) == ["alice@example.com", "carol@example.net"]
        assert history_rows(project) > 0  # two people got the items: they count as sent
        del srv.handler.refuse["bob@example.org"]
        code, output = run_send(project, tmp_path / "b", srv.port, now="2024-06-05T12:10:00+00:00")
        assert code == 0, output
        assert srv.handler.recipients[-1] == "bob@example.org" and len(srv.handler.messages) == 3
        # bob gets the digest the others got that morning, not an empty one
        first, last = srv.handler.messages[0].message(), srv.handler.messages[-1].message()
        assert last["Subject"] == first["Subject"]
        body = last.get_body(("plain",))
        assert body is not None and "Rust 1.80 stabilises lazy cells" in body.get_content()


NEW_ITEM = """<?xml version="1.0"?><rss version="2.0"><channel><title>Tech</title><link>https://tech.example.com/</link>
<item><title>A brand new afternoon story</title><link>https://tech.example.com/2024/06/new</link>
<pubDate>Wed, 05 Jun 2024 14:00:00 GMT</pubDate><description>Something happened this afternoon.</description></item>
</channel></rss>"""


def test_items_found_after_the_days_digest_went_out_wait_for_tomorrow(
        project: Path, http_server: LocalServer, tmp_path: Path) -> None:
    with smtp_server("plain") as srv:
        code, output = run_send(project, tmp_path / "morning", srv.port)
        assert code == 0, output
        http_server.add("/tech.xml", NEW_ITEM, etag='"t2"')
        code, output = run_send(project, tmp_path / "afternoon", srv.port, now="2024-06-05T15:00:00+00:00")
        assert code == 0, output
        assert len(srv.handler.messages) == 3  # everyone already had today's digest
        code, output = run_send(project, tmp_path / "tomorrow", srv.port, now="2024-06-06T07:00:00+00:00")
        assert code == 0, output
        assert selected(tmp_path / "tomorrow") == ["A brand new afternoon story"]
        assert len(srv.handler.messages) == 6


# ---------------------------------------------------------------------------- issue 19


def test_a_successful_send_says_so(project: Path, tmp_path: Path) -> None:
    with smtp_server("plain") as srv:
        code, output = run_send(project, tmp_path / "out", srv.port, quiet=False)
    assert code == 0, output
    assert "2024-06-05: delivered to 3 of 3 recipients" in output
    assert "alice@example.com" not in output


def test_a_server_that_hangs_up_after_each_message_sends_one_copy_each(project: Path, tmp_path: Path) -> None:
    """The acceptance case: stored, then the connection dropped before "250", for every message."""
    people = sorted(a.strip() for a in PEOPLE.split(","))
    with smtp_server("plain") as srv:
        srv.handler.drop_after_data = True
        code, output = run_send(project, tmp_path / "a", srv.port)
        assert code == 4, output
        assert "3 unconfirmed" in output and "may have delivered" in output and "Traceback" not in output
        assert Counter(srv.handler.recipients) == Counter(people), "one copy each, everyone tried"
        assert history_rows(project) > 0, "they may have it: the items count as sent"

        srv.handler.drop_after_data = False  # the next run: one more copy, the same digest, the same Message-ID
        code, output = run_send(project, tmp_path / "b", srv.port, now="2024-06-05T12:20:00+00:00")
        assert code == 0, output
        assert Counter(srv.handler.recipients) == Counter({p: 2 for p in people})
        by_rcpt: dict[str, list[tuple[str, str]]] = {}
        for m in srv.handler.messages:
            msg = m.message()
            by_rcpt.setdefault(m.rcpt_tos[0], []).append((str(msg["Message-ID"]), str(msg["Subject"])))
        assert all(first == second for first, second in by_rcpt.values())

        code, output = run_send(project, tmp_path / "c", srv.port, now="2024-06-05T12:40:00+00:00")
        assert code == 0, output
        assert len(srv.handler.messages) == 6, "never a third copy"


def test_a_stalled_server_ends_the_run_quickly_and_says_timed_out(project: Path, tmp_path: Path) -> None:
    with silent_server() as port:
        started = time.monotonic()
        code, output = run_send(project, tmp_path / "out", port, env={"DIGEST_SMTP_TIMEOUT": "1"})
        took = time.monotonic() - started
    assert code == 4, output
    assert "timed out" in output and "closed the connection" not in output
    assert took < 15, f"a 1 s timeout held the run for {took:.0f} s"
    assert history_rows(project) == 0
