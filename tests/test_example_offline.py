"""examples/offline through the CLI: a complete digest from bundled files, with no network at all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from digest.cli import app
from tests.support import paths

EXAMPLE = paths.REPO / "examples" / "offline"


def run_example(tmp_path: Path, *extra: str) -> dict[str, Any]:
    # a copy, so the run's state file lands in tmp_path and not in the source tree
    project = tmp_path / "offline"
    if not project.exists():
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".digest"))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "--config", str(project / "feeds.yaml"), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    return doc


def items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for section in doc["sections"] for item in section["items"]]


def test_offline_example_is_a_complete_digest(tmp_path: Path) -> None:
    doc = run_example(tmp_path)  # the README's command: no --now, so the dates must not age out
    stories = items(doc)
    assert len(stories) >= 10
    assert {s["language"] for s in stories} >= {"en", "zh"}
    sources = {s["name"]: s for s in doc["sources"]}
    assert all(s["status"] == "ok" and s["items"] > 0 for s in sources.values()), doc["sources"]
    assert any(name.endswith("相关推荐") for name in sources)
    # the listing page carries the JSON Feed's robot-arm story under a rewritten title: one story, with "also"
    merged = [s for s in stories if s["also"]]
    assert [(s["title"], [a["source"] for a in s["also"]]) for s in merged] == [
        ("星河机器人发布新一代协作机械臂，售价下调四成", ["示例资讯站 相关推荐"])]
    assert doc["stats"]["duplicates"] == 1


def test_offline_example_runs_again_the_same(tmp_path: Path) -> None:
    now = ("--now", "2026-06-05T12:00:00+08:00")
    first = run_example(tmp_path, *now)
    second = run_example(tmp_path, *now)  # same state file: history_days 0 keeps every story
    assert [s["title"] for s in items(second)] == [s["title"] for s in items(first)]
    assert len(items(first)) >= 10
