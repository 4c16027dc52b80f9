"""feeds.yaml validation: every mistake is one line naming the file, key path and fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from digest.cli import app
from digest.config import ConfigError, Subscriber, load_config, parse_config
from tests.support import paths

GOOD_SOURCES = """
sources:
  - name: One
    url: https://one.example.com/feed.xml
  - name: Two
    url: https://two.example.com/feed.xml
"""


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        (GOOD_SOURCES + "  - name: Three\n    url: htp://x\n",
         "feeds.yaml: sources[2].url: expected an http(s) or file URL, got 'htp://x'"),
        ("sources:\n  - url: https://a.example.com/\n", "feeds.yaml: sources[0].name: missing"),
        ("sources:\n  - name: A\n", "feeds.yaml: sources[0].url: missing"),
        ("sources:\n  - name: A\n    url: https://a.example.com/\n    type: podcast\n",
         "feeds.yaml: sources[0].type: unknown source type 'podcast'; expected one of feed, listing"),
        ("timezone: Mars/Olympus\n" + GOOD_SOURCES, "feeds.yaml: timezone: unknown IANA time zone 'Mars/Olympus'"),
        ("since: yesterdayish\n" + GOOD_SOURCES, "feeds.yaml: since: expected a duration (24h, 7d), a date (2024-06-01) or 'all'"),
        ("max_items: lots\n" + GOOD_SOURCES, "feeds.yaml: max_items: expected a whole number from 1 to 100000, got 'lots'"),
        ("per_source: 0\n" + GOOD_SOURCES, "feeds.yaml: per_source: expected a whole number from 1 to 100000, got 0"),
        ("summary:\n  sentences: 0\n" + GOOD_SOURCES, "feeds.yaml: summary.sentences: expected a whole number from 1 to 10, got 0"),
        ("summary:\n  algorithm: magic\n" + GOOD_SOURCES, "feeds.yaml: summary.algorithm: expected one of"),
        ("titel: Oops\n" + GOOD_SOURCES, "feeds.yaml: titel: unknown key (did you mean 'title'?)"),
        (GOOD_SOURCES + "    sectoin: x\n", "feeds.yaml: sources[1].sectoin: unknown key (did you mean 'section'?)"),
        (GOOD_SOURCES + "  - name: One\n    url: https://three.example.com/\n",
         "feeds.yaml: sources[2].name: 'One' is already the name of sources[0]"),
        (GOOD_SOURCES + "    include: ['(unclosed']\n", "feeds.yaml: sources[1].include[0]: not a valid regular expression"),
        ("sources: {}\n", "feeds.yaml: sources: expected a list of sources, got a mapping"),
        ("title: x\n", "feeds.yaml: sources: missing"),
        ("- just\n- a list\n", "feeds.yaml: expected a mapping of keys, got a list"),
        ("sources: [\n", "feeds.yaml: line"),
        ("sources:\n  - name: A\n    url: ${DIGEST_TEST_UNSET_VAR}\n",
         "feeds.yaml: sources[0].url: environment variable DIGEST_TEST_UNSET_VAR is not set"),
        ("sources:\n  - name: A\n    url: https://a.example.com/\n    select:\n      item: li\n",
         "feeds.yaml: sources[0].select: only listing sources take selectors (add type: listing)"),
        ("sources:\n  - name: A\n    url: https://a.example.com/\n    type: listing\n    select:\n      item: 'ul >> li'\n",
         "feeds.yaml: sources[0].select.item: not a valid CSS selector"),
        # a key given twice: both lines named, not "the last one wins"
        ("title: First\ntimezone: UTC\ntitle: Second\n" + GOOD_SOURCES,
         "feeds.yaml: line 3: 'title' is given twice in one mapping (lines 1 and 3); keep one of them"),
        ("sources:\n  - name: A\n    url: https://a.example.com/feed.xml\n    section: News\n"
         "    url: https://b.example.com/feed.xml\n",
         "feeds.yaml: line 5: 'url' is given twice in one mapping (lines 3 and 5); keep one of them"),
        ("email:\n  subject: '{title}'\n  to: a@example.com\n  subject: '{count}'\n" + GOOD_SOURCES,
         "feeds.yaml: line 4: 'subject' is given twice in one mapping (lines 2 and 4)"),
        ("fetch: {timeout: 5, timeout: 10}\n" + GOOD_SOURCES,
         "feeds.yaml: line 1: 'timeout' is given twice in one mapping (lines 1 and 1)"),
        # subscribers are checked when the config loads, not only when sending (issue 20)
        ("email:\n  subscribers:\n    - address: bob@gmail\n" + GOOD_SOURCES,
         "feeds.yaml: email.subscribers[0].address: b***@g*** is not a valid e-mail address (the domain 'gmail' has no dot"),
        ("email:\n  subscribers: a@example.com\n" + GOOD_SOURCES,
         "feeds.yaml: email.subscribers: expected a list of subscribers, each with an address, got 'a@example.com'"),
        # an empty value is a missing one, not the text 'None'
        ("sources:\n  - name:\n    url: https://a.example.com/\n", "feeds.yaml: sources[0].name: missing"),
    ],
)
def test_config_errors_name_file_path_and_fix(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.replace(str(path), "feeds.yaml").startswith(expected), message


def test_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(GOOD_SOURCES + "  - name: Three\n    url: htp://x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--config", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "sources[2].url: expected an http(s) or file URL, got 'htp://x'" in lines[0]
    assert "Traceback" not in result.output


def test_missing_config_file_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["check", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "file not found" in result.output


def test_defaults_env_expansion_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_TEST_HOST", "feeds.example.com")
    (tmp_path / "local.xml").write_text("<rss/>", encoding="utf-8")
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "sources:\n"
        "  - name: Remote\n    url: https://${DIGEST_TEST_HOST}/rss\n"
        "  - name: Local\n    url: local.xml\n    section: Mine\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.timezone == "UTC" and config.since == "24h"
    assert config.max_items == 50 and config.per_source == 10
    assert config.summary.sentences == 3
    assert config.state == tmp_path / ".digest" / "state.sqlite"
    assert config.sources[0].url == "https://feeds.example.com/rss"
    assert config.sources[1].url == (tmp_path / "local.xml").resolve().as_uri()
    assert config.sources[1].section == "Mine" and config.sources[0].section is None


def test_email_env_may_be_unset_until_sending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIGEST_TO", raising=False)
    config = parse_config("email:\n  to: ${DIGEST_TO}\n" + GOOD_SOURCES, tmp_path / "feeds.yaml")
    assert config.email.to == ()


def test_subscribers_load_as_checked_mailboxes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIGEST_TEST_SUBSCRIBER", raising=False)
    config = parse_config(
        "email:\n  subscribers:\n    - address: Alice <alice@example.com>\n      sections: [Tech, World]\n"
        "    - address: ${DIGEST_TEST_SUBSCRIBER}\n" + GOOD_SOURCES,
        tmp_path / "feeds.yaml",
    )
    assert config.email.subscribers == (
        Subscriber("alice@example.com", ("Tech", "World"), name="Alice"),
        Subscriber(""),  # an unset variable: only sending needs it, and says so
    )


def test_shipped_feeds_yaml_is_valid() -> None:
    config = load_config(paths.REPO / "feeds.yaml")
    assert len(config.sources) >= 4
    assert {s.url.split(":", 1)[0] for s in config.sources} == {"https"}


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
top_keys = st.sampled_from(["title", "timezone", "since", "max_items", "per_source", "state", "summary",
                            "sources", "dedup", "fetch", "email", "include", "exclude", "templates"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(yaml_values, st.dictionaries(top_keys, yaml_values, max_size=6), st.text(max_size=200)))
def test_any_yaml_gives_a_config_or_a_config_error(tmp_path_factory: pytest.TempPathFactory, value: object) -> None:
    import yaml

    text = value if isinstance(value, str) else yaml.safe_dump(value)
    try:
        parse_config(text, Path("/nonexistent/feeds.yaml"), "feeds.yaml")
    except ConfigError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("title: &a [*a]\nsources: []\n", "nested more than 12 levels deep (a YAML alias that refers to itself?)"),
        ("title:\n  - &a [x, x, x, x, x, x, x, x, x]\n  - &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "  - &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  - &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "  - &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n  - [*e, *e, *e, *e, *e, *e, *e, *e, *e]\nsources: []\n", "YAML aliases (*name) expand this file to more than 10,000 values"),
        ("sources:\n  - name: A\n    url: 'http://[::1'\n", "sources[0].url: expected an http(s) or file URL"),
        ("sources:\n  - name: A\n    url: 'http://example.com:port/'\n", "sources[0].url: expected an http(s) or file URL"),
        ("sources:\n  - name: A\n    url: file://otherhost/feed.xml\n", "sources[0].url: a file URL must name a local file"),
        ("fetch:\n  timeout: -5\nsources: []\n", "fetch.timeout: expected a duration between 1s and 24h"),
        ("fetch:\n  deadline: .nan\nsources: []\n", "fetch.deadline: expected a duration between 1s and 24h"),
        ("templates: ./nothere\nsources: []\n", "templates: no such folder"),
    ],
)
def test_hostile_and_odd_values_are_one_line_errors(tmp_path: Path, yaml_text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(expected)) as info:
        parse_config(yaml_text, tmp_path / "feeds.yaml", "feeds.yaml")
    assert "\n" not in str(info.value)
