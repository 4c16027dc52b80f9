"""Theme templates run in jinja2's sandbox: an escape attempt runs nothing and is one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from digest.cli import app
from digest.errors import ConfigError
from digest.render import render_html, render_text
from tests.support import sample_digests as fixture
from tests.support.http import LocalServer

SECRET = "s3cret-smtp-password-4711"


def escapes(marker: Path) -> list[str]:
    """Known ways out of a plain jinja2 Environment; each would create `marker` (or print the secret)."""
    run = f"'touch {marker}'"
    return [
        f"{{{{ cycler.__init__.__globals__.os.popen({run}).read() }}}}",
        f"{{{{ joiner.__init__.__globals__['os'].system({run}) }}}}",
        f"{{{{ namespace.__init__.__globals__.os.popen({run}).read() }}}}",
        "{{ cycler.__init__.__globals__.os.environ }}",
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
        f"{{{{ c(['touch', '{marker}']) }}}}{{% endif %}}{{% endfor %}}",
        "{{ '{0.__init__.__globals__[os].environ}'.format(cycler) }}",
        "{{ self._TemplateReference__context.environment.__init__.__globals__ }}",
        "{{ d.t.update({'unsubscribe': 'x'}) }}",  # the immutable sandbox: no changing the values either
    ]


@pytest.mark.parametrize("index", range(8))
@pytest.mark.parametrize("name", ["digest.html.j2", "digest.txt.j2"])
def test_a_sandbox_escape_in_a_theme_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index: int, name: str
) -> None:
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", SECRET)
    marker = tmp_path / "pwned"
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / name).write_text(f"{{{{ d.title }}}}\n\n{escapes(marker)[index]}\n", encoding="utf-8")
    render = render_html if name.endswith(".html.j2") else render_text
    with pytest.raises(ConfigError) as caught:
        render(fixture.chinese_digest(), templates=theme)
    message = str(caught.value)
    assert not marker.exists()
    assert SECRET not in message
    assert message.startswith(f"{theme / name}: line 3: blocked by the template sandbox"), message
    assert "\n" not in message


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'x' * 1000000000 }}",
        "{{ [1] * 1000000000 }}",
        "{{ 7 ** 1000000000 }}",
        "{{ 'x'|center(1000000000) }}",
        "{{ d.title|center(1000000000) }}",
        "{{ d.title|indent(1000000000, first=true) }}",
        "{{ d.title.ljust(1000000000) }}",
        "{{ d.title.zfill(1000000000) }}",
        "{{ '{:>999999999}'.format(d.title) }}",
        "{{ '{0:>{1}}'.format(d.title, 999999999) }}",
        "{{ '{:{}}'.format_map({'a': 1}) if false else '{t:>999999999}'.format_map({'t': d.title}) }}",
        "{{ '%999999999s' % d.title }}",
        "{{ '%*s' % (999999999, d.title) }}",
        "{{ '%.999999999f'|format(1.5) }}",
        "{{ '%*d'|format(999999999, 1) }}",
        "{{ range(1000000000)|list|length }}",
    ],
)
def test_a_theme_cannot_make_a_huge_value(tmp_path: Path, template: str) -> None:
    (tmp_path / "digest.txt.j2").write_text(template, encoding="utf-8")
    with pytest.raises(ConfigError, match="blocked by the template sandbox"):
        render_text(fixture.chinese_digest(), templates=tmp_path)


def test_large_numbers_as_values_still_format(tmp_path: Path) -> None:
    """The size bounds refuse counts and widths, not large values: 1,234,567 stories still print."""
    (tmp_path / "digest.txt.j2").write_text(
        "{% set n = 1234567 %}{{ n }} {{ '{:,}'.format(n) }} {{ '%d' % n }} {{ '%d'|format(n) }} "
        "{{ '{:>8}'.format(n) }} {{ n|filesizeformat }} {{ d.title|truncate(20) }}",
        encoding="utf-8",
    )
    out = render_text(fixture.chinese_digest(), templates=tmp_path)
    assert out.startswith("1234567 1,234,567 1234567 1234567  1234567 1.2 MB "), out


def test_templates_see_no_config_no_environment_and_no_lipsum(tmp_path: Path) -> None:
    for name in ("config", "os", "environ", "settings", "lipsum"):
        (tmp_path / "digest.txt.j2").write_text(f"{{{{ {name} }}}}", encoding="utf-8")
        with pytest.raises(ConfigError, match=f"'{name}' is undefined"):
            render_text(fixture.chinese_digest(), templates=tmp_path)


def test_digest_run_with_a_hostile_theme_exits_2_with_one_line(
    http_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", SECRET)
    feed = http_server.add(
        "/feed.xml",
        "<rss version='2.0'><channel><title>T</title><item><title>Hello</title>"
        "<link>https://example.com/a</link><pubDate>Wed, 05 Jun 2024 10:00:00 GMT</pubDate></item></channel></rss>",
        content_type="application/rss+xml",
    )
    theme = tmp_path / "theme"
    theme.mkdir()
    marker = tmp_path / "pwned"
    (theme / "digest.html.j2").write_text(escapes(marker)[0], encoding="utf-8")
    config = tmp_path / "feeds.yaml"
    config.write_text(f"templates: theme\nsources:\n  - name: A\n    url: {feed}\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["run", "--config", str(config), "--out", str(tmp_path / "out"), "--now", "2024-06-05T12:00:00+00:00"]
    )
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert not marker.exists()
    assert len([line for line in lines if "blocked by the template sandbox" in line]) == 1
    assert any(str(theme / "digest.html.j2") in line for line in lines), result.output
    assert "Traceback" not in result.output and SECRET not in result.output


def test_shipped_templates_render_in_the_sandbox() -> None:
    # The golden plaintext files (test_render_text) and the HTML tests cover the output; this pins
    # that what renders them is the sandbox.
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from digest.render.env import environment

    assert isinstance(environment(None), ImmutableSandboxedEnvironment)
