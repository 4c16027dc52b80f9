"""Lint of .github/workflows/daily-digest.yml (actionlint ships as a downloaded binary, so: a schema check of the keys)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import paths

REPO = paths.REPO
WORKFLOW = REPO / ".github" / "workflows" / "daily-digest.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@pytest.fixture(scope="module")
def flow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def triggers(flow: dict[Any, Any]) -> dict[str, Any]:
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert isinstance(on, dict)
    return on


def steps(flow: dict[Any, Any], job: str = "digest") -> list[dict[str, Any]]:
    result = flow["jobs"][job]["steps"]
    assert isinstance(result, list)
    return result


def step_using(flow: dict[Any, Any], action: str) -> dict[str, Any]:
    found = [s for s in steps(flow) if str(s.get("uses", "")).startswith(action + "@")]
    assert len(found) == 1, f"expected one step using {action}"
    return found[0]


def walk(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, str(index)))
    elif isinstance(node, str):
        yield path, node


def test_schedule_is_off_the_hour_and_dispatch_has_the_inputs(flow: dict[Any, Any]) -> None:
    on = triggers(flow)
    crons = [entry["cron"] for entry in on["schedule"]]
    assert crons, "a daily schedule"
    for cron in crons:
        fields = cron.split()
        assert len(fields) == 5
        minute = fields[0]
        assert minute.isdigit() and int(minute) not in (0, 30), f"{cron!r}: pick a minute off the hour"
        assert fields[1].isdigit(), "once a day at a fixed hour"
    inputs = on["workflow_dispatch"]["inputs"]
    for name in ("dry_run", "force"):
        assert inputs[name]["type"] == "boolean" and inputs[name]["default"] is False
        assert inputs[name]["description"]


def test_one_run_at_a_time_never_cancelled(flow: dict[Any, Any]) -> None:
    assert flow["concurrency"] == {"group": "daily-digest", "cancel-in-progress": False}


def test_every_job_has_a_timeout_and_least_privilege(flow: dict[Any, Any]) -> None:
    assert flow["permissions"] == {"contents": "read"}
    for name, job in flow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 60, name
        permissions = job.get("permissions", flow["permissions"])
        assert isinstance(permissions, dict), f"{name}: no write-all / read-all shorthands"
        writes = {k for k, v in permissions.items() if v == "write"}
        assert writes <= ({"actions"} if name == "keepalive" else set()), f"{name} asks for {writes}"
    assert flow["jobs"]["keepalive"]["if"].count("vars.DIGEST_KEEPALIVE") == 1, "keepalive is opt-in"


def test_actions_are_pinned_to_a_major_version(flow: dict[Any, Any]) -> None:
    for job in flow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+|[0-9a-f]{40})", step["uses"]), step["uses"]


def test_python_with_pip_cache_then_pip_install_and_digest_run_send(flow: dict[Any, Any]) -> None:
    python = step_using(flow, "actions/setup-python")
    assert python["with"]["cache"] == "pip" and python["with"]["python-version"]
    runs = [s.get("run", "") for s in steps(flow)]
    install = next(i for i, r in enumerate(runs) if "pip install ." in r)
    main = next(i for i, r in enumerate(runs) if "digest run" in r and "--send" in r)
    assert install < main
    script = runs[main]
    assert "--force" in script and '"$FORCE" = "true"' in script
    assert "digest send --dry-run" in script and '"$DRY_RUN" = "true"' in script


def test_secrets_reach_commands_only_through_env(flow: dict[Any, Any]) -> None:
    secrets_seen = set()
    for path, value in walk(flow):
        for expression in EXPRESSION.findall(value):
            if "secrets." in expression:
                assert len(path) >= 2 and path[-2] == "env", f"secret outside env: at {'.'.join(path)}"
                secrets_seen.add(expression)
            if path[-1] == "run":
                # untrusted or secret values in a script body are an injection risk; use env instead
                assert not expression.startswith(("inputs.", "github.event.", "secrets.")), f"{expression} in a run script"
    names = {e.removeprefix("secrets.") for e in secrets_seen}
    assert {"DIGEST_SMTP_HOST", "DIGEST_SMTP_PORT", "DIGEST_SMTP_USER", "DIGEST_SMTP_PASSWORD",
            "DIGEST_SMTP_SECURITY", "DIGEST_TO"} <= names


def test_state_is_restored_and_always_saved_under_a_unique_key(flow: dict[Any, Any]) -> None:
    restore = step_using(flow, "actions/cache/restore")
    save = step_using(flow, "actions/cache/save")
    order = steps(flow)
    main = next(i for i, s in enumerate(order) if "digest run" in s.get("run", ""))
    assert order.index(restore) < main < order.index(save)
    assert restore["with"]["path"] == save["with"]["path"]
    key = save["with"]["key"]
    assert "github.run_id" in key and "github.run_attempt" in key, "cache keys are immutable: one per run"
    assert restore["with"]["key"] == key
    prefix = key.split("${{")[0]
    assert restore["with"]["restore-keys"].strip() == prefix, "restore the newest state saved by any run"
    assert save["if"].startswith("always()"), "a failed or cancelled run must still keep its ledger"
    assert "DRY_RUN" in save["if"], "a dry run must not save the state it built"


def test_the_digest_is_uploaded_and_summarised_even_on_failure(flow: dict[Any, Any]) -> None:
    upload = step_using(flow, "actions/upload-artifact")
    assert upload["if"] == "always()" and upload["with"]["path"].rstrip("/") == "out"
    summary = [s for s in steps(flow) if "GITHUB_STEP_SUMMARY" in s.get("run", "")]
    assert len(summary) == 1 and summary[0]["if"] == "always()"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_run_scripts_are_valid_bash(flow: dict[Any, Any]) -> None:
    for job in flow["jobs"].values():
        for step in job["steps"]:
            if "run" in step:
                script = EXPRESSION.sub("x", step["run"])
                result = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True, check=False)
                assert result.returncode == 0, f"{step.get('name')}: {result.stderr}"


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_job_summary_renders_a_digest_json(flow: dict[Any, Any], tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "digest.json").write_text(json.dumps({
        "schema": 1, "title": "Morning | brief", "generated_at": "2024-06-05T07:30:00+08:00",
        "sections": [{"name": "Tech", "items": [{}, {}]}, {"name": "中文", "items": [{}]}],
        "sources": [{"name": "A", "status": "ok"}, {"name": "B", "status": "error", "error": "HTTP 404"}],
        "stats": {"fetched": 9, "duplicates": 1, "selected": 3},
    }), encoding="utf-8")
    (tmp_path / "run.log").write_text("sent      a***@e***.com\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    script = next(s["run"] for s in steps(flow) if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=tmp_path, text=True, capture_output=True,
                            env={"PATH": _path(), "GITHUB_STEP_SUMMARY": str(summary)}, check=False)
    assert result.returncode == 0, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert "**Morning \\| brief**, 2024-06-05T07:30:00+08:00: 3 stories from 2 sources, 1 failed" in text
    assert "| Tech | 2 |" in text and "| 中文 | 1 |" in text and "| B | HTTP 404 |" in text
    assert "sent      a***@e***.com" in text


def test_the_cli_has_the_options_the_workflow_uses() -> None:
    from typer.testing import CliRunner

    import digest.cli.send  # noqa: F401  (registers `digest send` until digest/cli/__init__ imports it)
    from digest.cli.app import app

    runner = CliRunner()
    run_help = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    send_help = runner.invoke(app, ["send", "--help"], env={"COLUMNS": "200"})
    assert run_help.exit_code == 0 and send_help.exit_code == 0
    for option in ("--out", "--send", "--force"):
        assert option in run_help.output
    for option in ("--out", "--dry-run", "--to", "--force"):
        assert option in send_help.output


def _path() -> str:
    import os
    import sys

    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
