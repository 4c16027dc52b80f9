"""feeds.yaml hardening: duplicate keys, absurd format widths, and a config with 110,000 sources."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digest.cli import app
from digest.config import MAX_CONFIG_BYTES, ConfigError, load_config

ONE_SOURCE = "sources:\n  - name: A\n    url: https://a.example.com/feed.xml\n"


def test_keys_merged_from_an_alias_may_still_be_overridden(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    merged = (
        "sources:\n"
        "  - &base {name: A, url: 'https://a.example.com/feed.xml', section: World}\n"
        "  - <<: *base\n    name: B\n"
    )
    path.write_text(merged, encoding="utf-8")
    config = load_config(path)
    assert [(s.name, s.section) for s in config.sources] == [("A", "World"), ("B", "World")]
    path.write_text(merged + "    name: C\n", encoding="utf-8")  # but not given twice by hand
    with pytest.raises(ConfigError, match=r"line 5: 'name' is given twice in one mapping \(lines 4 and 5\)"):
        load_config(path)


@pytest.mark.parametrize("command", ["check", "run"])
def test_check_and_run_refuse_duplicate_keys(tmp_path: Path, command: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("title: One\nsources:\n  - name: A\n    url: feed.xml\ntitle: Two\n", encoding="utf-8")
    args = [command, "--config", str(path)] + (["--out", str(tmp_path / "out")] if command == "run" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "'title' is given twice in one mapping (lines 1 and 5)" in lines[0], result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("{count:>2000000000}", "{count:>2000000000} asks for a width or precision of 2000000000; at most 100"),
        ("{title:.5000}", "{title:.5000} asks for a width or precision of 5000"),
        ("{headline:_^101}", "{headline:_^101} asks for a width or precision of 101"),
        ("{date:%1000000000d}", "{date:%1000000000d} asks for a width or precision of 1000000000"),
        ("{count:>{count}}", "{count:>{count}}: a format spec cannot hold another {field}"),
        ("{count:>2000000000%}", "{count:>2000000000%} asks for a width or precision of 2000000000"),
        ("{date.year:>500}", "{date.year:>500} asks for a width or precision of 500"),
    ],
)
def test_check_rejects_absurd_format_widths(tmp_path: Path, subject: str, expected: str) -> None:
    path = tmp_path / "feeds.yaml"
    for fine in ("{count:>3} new · {date:%d %b %Y}", "{title:.40} {date:%d.%m.} 2024", "{count:03d}"):
        path.write_text(f"email:\n  subject: '{fine}'\n" + ONE_SOURCE, encoding="utf-8")
        assert load_config(path).email.subject == fine
    path.write_text(f"email:\n  subject: '{subject}'\n" + ONE_SOURCE, encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert f"email.subject: {expected}" in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1


def test_a_config_with_110000_sources_loads(tmp_path: Path) -> None:
    # It used to stop after half a minute with "a YAML alias that refers to itself?": the guard
    # against alias bombs counted values, and a real list of 110,000 sources has 330,000.
    path = tmp_path / "feeds.yaml"
    lines = ["title: Everything", "sources:"]
    for i in range(110_000):
        lines += [f"  - name: Source {i}", f"    url: https://feeds{i % 700}.example.com/{i}.xml"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    config = load_config(path)
    elapsed = time.perf_counter() - started
    assert len(config.sources) == 110_000 and config.sources[-1].name == "Source 109999"
    assert elapsed < 30, f"{elapsed:.1f} s"  # about 3 s on a 2-core machine (was 18-32 s, then an error)


def test_check_lists_the_first_500_sources_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("sources:\n" + "".join(f"  - {{name: S{i}, url: 'https://x.example.com/{i}'}}\n" for i in range(620)))
    result = CliRunner().invoke(app, ["check", "--config", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "620 sources, valid" in result.output and "… and 120 more sources, all valid" in result.output
    assert "S499 " in result.output and "S500 " not in result.output


def test_a_config_file_too_big_to_be_one_fails_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_CONFIG_BYTES + 1)  # sparse: nothing is written
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"the file is 32\.0 MB; digest reads config files up to 32 MB"):
        load_config(path)
    assert time.perf_counter() - started < 1
