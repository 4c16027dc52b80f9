"""`digest send` through typer's CliRunner: --dry-run, --to, a real send to aiosmtpd, and its errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import digest.cli.send  # noqa: F401  (registers `digest send` until digest/cli/__init__ imports it)
from digest.cli.app import app
from digest.render.json_out import digest_to_json
from digest.state import ledger, open_state
from tests.support.raw_server import closed_port
from tests.support.smtp import SmtpServer, sample_digest, simple_render, smtp_server

PEOPLE = "alice@example.com, bob@example.org, carol@example.net"
RAW = ("alice@example.com", "bob@example.org", "carol@example.net")


@dataclass
class Project:
    config: Path
    out: Path
    state: Path
    html: str
    text: str


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A feeds.yaml and the out/ folder a `digest run` would have written."""
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "title: Morning brief\n"
        "timezone: Asia/Shanghai\n"
        "state: state/state.sqlite\n"
        "email:\n"
        "  from: Morning brief <digest@example.com>\n"
        "  to: ${DIGEST_TO}\n"
        "  domain: digest.example.com\n"
        "sources:\n"
        "  - {name: Tech wire, url: tech.xml, section: Tech}\n"
        "  - {name: World wire, url: world.xml, section: World}\n"
        "  - {name: 中文, url: zh.xml, section: 中文}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    digest = sample_digest()
    html, text = simple_render(digest)
    (out / "digest.json").write_text(json.dumps(digest_to_json(digest), ensure_ascii=False), encoding="utf-8")
    (out / "digest.html").write_text(html, encoding="utf-8")
    (out / "digest.txt").write_text(text, encoding="utf-8")
    return Project(config, out, tmp_path / "state" / "state.sqlite", html, text)


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server("plain") as srv:
        yield srv


def invoke(project: Project, *args: str, env: dict[str, str] | None = None) -> Result:
    base = {"DIGEST_TO": PEOPLE, "COLUMNS": "200"}
    for name in ("DIGEST_SMTP_HOST", "DIGEST_SMTP_PORT", "DIGEST_SMTP_USER", "DIGEST_SMTP_PASSWORD",
                 "DIGEST_SMTP_SECURITY", "DIGEST_SMTP_CAFILE"):
        base[name] = ""  # never the developer's own settings
    base.update(env or {})
    return CliRunner().invoke(app, ["send", "--config", str(project.config), "--out", str(project.out), *args],
                              env=base)


def smtp_env(srv: SmtpServer) -> dict[str, str]:
    return {"DIGEST_SMTP_HOST": srv.host, "DIGEST_SMTP_PORT": str(srv.port), "DIGEST_SMTP_SECURITY": "none"}


def delivered_count(project: Project) -> int:
    if not project.state.exists():
        return 0
    state = open_state(project.state, readonly=True)
    try:
        from tests.support.smtp import DIGEST_DATE

        return ledger.count(state.conn, DIGEST_DATE)
    finally:
        state.close()


def test_dry_run_lists_masked_recipients_and_connects_to_nothing(project: Project) -> None:
    result = invoke(project, "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "digest of 2024-06-05: 'Morning brief', 4 items in 3 sections" in out
    assert "via SMTP not ready: environment: DIGEST_SMTP_HOST: not set" in out
    for masked in ("a***@e***.com", "b***@e***.org", "c***@e***.net"):
        assert f"would send    {masked}" in out
    assert "Morning brief · 2024-06-05 · Rust 2.0 released" in out
    assert not any(raw in result.output for raw in RAW)
    assert "dry run: 3 of 3 would get a message" in out
    assert not project.state.exists(), "a dry run writes nothing"


def test_send_then_send_again_delivers_once(project: Project, server: SmtpServer) -> None:
    first = invoke(project, env=smtp_env(server))
    assert first.exit_code == 0, first.output
    assert "2024-06-05: delivered to 3 of 3 recipients" in first.stdout
    assert server.handler.recipients == list(RAW)
    html_part = server.handler.messages[0].message().get_body(("html",))
    assert html_part is not None
    assert html_part.get_content().replace("\r\n", "\n").rstrip("\n") == project.html, "the written file, as previewed"
    assert delivered_count(project) == 3
    assert not any(raw in first.output for raw in RAW)

    second = invoke(project, env=smtp_env(server))
    assert second.exit_code == 0, second.output
    assert "delivered to 0 of 3 recipients; 3 already had it" in second.stdout
    assert len(server.handler.messages) == 3

    dry = invoke(project, "--dry-run", env=smtp_env(server))
    assert dry.stdout.count("already sent ") == 3 and "via SMTP 127.0.0.1:" in dry.stdout

    forced = invoke(project, "--force", env=smtp_env(server))
    assert forced.exit_code == 0 and len(server.handler.messages) == 6


def test_a_test_copy_goes_to_one_address_and_leaves_the_ledger(project: Project, server: SmtpServer) -> None:
    result = invoke(project, "--to", "Me <me@example.com>", env=smtp_env(server))
    assert result.exit_code == 0, result.output
    assert server.handler.recipients == ["me@example.com"]
    assert delivered_count(project) == 0
    assert "m***@e***.com" in result.output and "me@example.com" not in result.output


def test_server_down_exits_non_zero_with_one_line(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"DIGEST_SMTP_HOST": "127.0.0.1", "DIGEST_SMTP_PORT": str(closed_port()), "DIGEST_SMTP_SECURITY": "none"}
    from digest.deliver import dispatch

    original = dispatch.send_digest

    def no_wait(*args: Any, **kwargs: Any) -> Any:
        kwargs["sleep"] = lambda seconds: None  # the backoff itself is tested in test_deliver_smtp
        return original(*args, **kwargs)

    monkeypatch.setattr("digest.deliver.send_digest", no_wait)
    result = invoke(project, env=env)
    assert result.exit_code == 4
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("digest: 3 of 3 not delivered: delivered to 0 of 3 recipients; 3 failed: cannot connect to 127.0.0.1")
    assert "run `digest send` again to retry them" in last
    assert delivered_count(project) == 0


@pytest.mark.parametrize(("args", "env", "expected"), [
    ((), {"DIGEST_TO": ""}, "email.to: empty, so there is no one to send to: set DIGEST_TO"),
    ((), {"DIGEST_TO": "alice@example.com, bob@@example.org"}, "email.to[1]: b***@e***.org is not a valid e-mail address"),
    (("--to", "not-an-address"), {}, "--to: n*** is not a valid e-mail address (has no @)"),
    ((), {"DIGEST_SMTP_HOST": "smtp.example.com", "DIGEST_SMTP_SECURITY": "none"}, "only allowed for a server on this machine"),
])
def test_mistakes_are_one_line_with_exit_2(project: Project, args: tuple[str, ...], env: dict[str, str],
                                           expected: str) -> None:
    result = invoke(project, *args, env=env)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "bob@@" not in result.output


def test_a_missing_out_folder_says_to_run_digest_first(project: Project, tmp_path: Path) -> None:
    project.out = tmp_path / "elsewhere"
    result = invoke(project, "--dry-run")
    assert result.exit_code == 2
    assert "digest.json: not found: run `digest run --out" in result.stderr


def test_a_state_file_deleted_while_sending_is_an_error_not_a_success(project: Project, server: SmtpServer) -> None:
    def delete_on_second(count: int) -> None:
        if count == 2:
            project.state.unlink()  # a cache step, a second job: the ledger rows went into the old file
        return None

    server.handler.on_mail = delete_on_second
    result = invoke(project, env=smtp_env(server))
    assert result.exit_code == 3, result.output
    assert "was deleted while this run was using it" in result.output
    assert "the digest was sent (delivered to 3 of 3 recipients" in result.output
    assert len(server.handler.messages) == 3
