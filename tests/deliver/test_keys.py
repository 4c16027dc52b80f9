"""Issue 19: keyed recipient keys, unsubscribe ids and report tags, against aiosmtpd and real state files.

Knowing an address must not be enough to forge its one-click unsubscribe link, the ledger must
not be reversible from a list of addresses, and five masked failures must not all read alike.
An upgrade keeps recognising the unkeyed rows of an older ledger, so nobody is sent twice.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from digest.config import EmailSettings
from digest.deliver import DeliveryReport, SmtpSettings, mask_address, plan_delivery, send_digest
from digest.errors import ConfigError
from digest.state import open_state
from tests.support.smtp import DIGEST_DATE, SmtpServer, sample_digest, simple_render, smtp_server

PEOPLE = ("alice@example.com", "bob@example.org", "carol@example.net")
EMAIL = EmailSettings(sender="digest@example.com", to=PEOPLE, domain="digest.example.com",
                      unsubscribe_url="https://digest.example.com/unsubscribe?id={id}")
SECRET = "k7Rz3q9LwM2xT8vB5nY1cF6hJ4dG0sPa"


def send(state_file: Path, srv: SmtpServer, *, email: EmailSettings = EMAIL) -> DeliveryReport:
    digest = sample_digest()
    state = open_state(state_file)
    try:
        return send_digest(state.conn, digest, plan_delivery(email, digest), simple_render, settings=email,
                           smtp=SmtpSettings(host=srv.host, port=srv.port, security="none", timeout=10),
                           digest_date=DIGEST_DATE, sleep=lambda seconds: None)
    finally:
        state.close()


def unsubscribe_ids(srv: SmtpServer) -> dict[str, str]:
    found = {}
    for received in srv.handler.messages:
        https = str(received.message()["List-Unsubscribe"]).split(", ")[1].strip("<>")
        found[received.rcpt_tos[0]] = parse_qs(urlsplit(https).query)["id"][0]
    return found


def plain_sha256(address: str) -> str:
    return hashlib.sha256(address.casefold().encode()).hexdigest()


def stored_keys(state_file: Path) -> list[str]:
    with sqlite3.connect(state_file) as conn:
        return [row[0] for row in conn.execute("SELECT recipient FROM deliveries ORDER BY recipient")]


def test_the_unsubscribe_id_is_keyed_with_digest_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    with smtp_server() as srv:
        send(tmp_path / "state.sqlite", srv)
    ids = unsubscribe_ids(srv)
    assert set(ids) == set(PEOPLE)
    for address, token in ids.items():
        assert plain_sha256(address) not in token, "not the plain hash anyone can compute"
        # what an unsubscribe handler holding DIGEST_SECRET computes (README: "Security")
        expected = hmac.new(SECRET.encode(), b"unsubscribe\0" + address.encode(), hashlib.sha256).hexdigest()
        assert token == expected
    keys = stored_keys(tmp_path / "state.sqlite")
    assert len(keys) == 3 and all(k.startswith("hmac:") for k in keys)
    assert not {plain_sha256(a) for a in PEOPLE} & {k.split(":", 1)[1] for k in keys}
    assert not set(ids.values()) & {k.split(":", 1)[1] for k in keys}, "the stored key is not the unsubscribe id"


def test_without_digest_secret_the_state_file_keeps_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIGEST_SECRET", raising=False)
    with smtp_server() as srv:
        send(tmp_path / "a.sqlite", srv)
        first = unsubscribe_ids(srv)
        srv.handler.messages.clear()
        send(tmp_path / "a.sqlite", srv, email=EmailSettings(**{**EMAIL.__dict__, "to": ("dave@example.com",)}))
        srv.handler.messages.clear()
        send(tmp_path / "b.sqlite", srv)
        other = unsubscribe_ids(srv)
    with sqlite3.connect(tmp_path / "a.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*), LENGTH(value) FROM secrets").fetchone() == (1, 32)
    assert all(plain_sha256(a) not in first[a] for a in PEOPLE)
    assert first != other, "another state file, another secret"
    from digest.state import secret

    state = open_state(tmp_path / "a.sqlite")
    try:
        again = secret.load(state.conn)
    finally:
        state.close()
    assert again.source == "state"
    assert first["alice@example.com"] == hmac.new(again.current, b"unsubscribe\0alice@example.com",
                                                  hashlib.sha256).hexdigest(), "the same secret, every run"


def test_five_masked_failures_can_be_told_apart(tmp_path: Path) -> None:
    people = tuple(f"a{n}@example.com" for n in range(5))
    assert len({mask_address(p) for p in people}) == 1, "all five mask alike"
    with smtp_server() as srv:
        for person in people:
            srv.handler.refuse[person] = "550 5.1.1 mailbox unavailable"
        report = send(tmp_path / "state.sqlite", srv, email=EmailSettings(sender="digest@example.com", to=people))
    shown = [f.recipient for f in report.failed]
    assert len(shown) == 5 and len(set(shown)) == 5
    assert all(s.startswith("a***@e***.com#") for s in shown)
    assert not any(p in "\n".join(report.lines()) for p in people)


def test_an_old_ledger_is_recognised_and_re_keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A state file from before keyed keys: its rows for today keep counting, nobody is sent twice."""
    state_file = tmp_path / "state.sqlite"
    with sqlite3.connect(state_file) as conn:  # the table as the previous release made it
        conn.executescript("""
            CREATE TABLE deliveries (digest_date TEXT NOT NULL, recipient TEXT NOT NULL, masked TEXT NOT NULL,
                message_id TEXT NOT NULL, sent_at REAL NOT NULL, sends INTEGER NOT NULL DEFAULT 1,
                PRIMARY KEY (digest_date, recipient));
            PRAGMA user_version = 1;
        """)
        conn.executemany("INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, 1)", [
            (DIGEST_DATE.isoformat(), "sha256:" + plain_sha256(a), mask_address(a), f"<old.{n}@digest.example.com>", 1.0)
            for n, a in enumerate(PEOPLE[:2])
        ])
    monkeypatch.delenv("DIGEST_SECRET", raising=False)
    with smtp_server() as srv:
        report = send(state_file, srv)
        assert report.skipped_already_sent == 2 and srv.handler.recipients == ["carol@example.net"]
        keys = stored_keys(state_file)
        assert len(keys) == 3 and all(k.startswith("hmac:") for k in keys), "the old rows were re-keyed"

        # DIGEST_SECRET set afterwards: the rows keyed with the state file's secret still count
        monkeypatch.setenv("DIGEST_SECRET", SECRET)
        again = send(state_file, srv)
        assert again.skipped_already_sent == 3 and again.delivered == 0
    assert len(srv.handler.messages) == 1
    assert set(stored_keys(state_file)).isdisjoint(keys), "re-keyed once more, under DIGEST_SECRET"


def test_a_short_digest_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from digest.state import secret

    monkeypatch.setenv("DIGEST_SECRET", "hunter2")
    with pytest.raises(ConfigError) as info:
        secret.load(None)
    assert "DIGEST_SECRET: only 7 characters" in str(info.value) and "openssl rand -hex 32" in str(info.value)
