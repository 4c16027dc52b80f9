"""What the hardening of #19 costs or saves: loading a huge feeds.yaml, and rendering in the sandbox.

    python -m bench.speed.limits [--sources 110000] [--repeat 5]

1. feeds.yaml with N sources: `load_config` (libyaml with the garbage collector paused) against the
   way it read YAML before, `yaml.safe_load` (pure Python, collector on), in the same run.
2. The shipped HTML and plaintext templates rendered by the sandboxed environment digest uses,
   against a plain `jinja2.Environment` with the same loader and filters (the code before).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.speed.render import best
from digest.config import load_config
from digest.render import render_html
from digest.render.env import environment, render_template
from digest.render.html import HTML_TEMPLATE, PREHEADER_FILLER
from digest.render.text import TEXT_TEMPLATE
from digest.render.view import build_view
from tests.support import sample_digests


def config_text(count: int) -> str:
    lines = ["title: Everything", "sources:"]
    for i in range(count):
        lines += [f"  - name: Source {i}", f"    url: https://feeds{i % 700}.example.com/{i}.xml"]
    return "\n".join(lines) + "\n"


def bench_config(count: int, repeat: int) -> None:
    import yaml

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feeds.yaml"
        path.write_text(config_text(count), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        runs = max(1, repeat // 2)  # the baseline takes half a minute per run at 110,000 sources
        before = best(lambda: yaml.safe_load(text), runs)
        after = best(lambda: load_config(path), runs)
        print(f"feeds.yaml, {count:,} sources ({path.stat().st_size / 2**20:.1f} MB), median of {runs}:")
        print(f"  yaml.safe_load alone (before; the old load_config then refused it): {before:6.2f} s")
        print(f"  load_config, whole (libyaml, GC paused, every source checked):    {after:6.2f} s  "
              f"({before / after:.1f}x faster than the parse alone was)")


def plain_environment() -> object:
    """The environment as it was before the sandbox: same loader, escaping and filters."""
    import jinja2

    sandboxed = environment(None)
    env = jinja2.Environment(
        loader=sandboxed.loader, autoescape=sandboxed.autoescape, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update({k: sandboxed.filters[k] for k in ("wrap", "width")})
    env.globals["WIDTH"] = sandboxed.globals["WIDTH"]
    return env


def bench_render(repeat: int) -> None:
    digest = sample_digests.big_digest()
    view = build_view(digest)
    html_context = {"d": view, "web": False, "unsubscribe_url": None, "preheader_filler": PREHEADER_FILLER}
    text_context = {"d": view, "unsubscribe_url": None}
    print(f"rendering the {len(digest.items)}-item fixture (jinja2 only, no CSS inlining), median of {repeat}:")
    for name, context in ((HTML_TEMPLATE, html_context), (TEXT_TEMPLATE, text_context)):
        plain, sandbox = plain_environment(), environment(None)
        assert render_template(plain, name, context) == render_template(sandbox, name, context)  # type: ignore[arg-type]
        before = best(lambda: render_template(plain, name, context), repeat)  # type: ignore[arg-type]  # noqa: B023
        after = best(lambda: render_template(sandbox, name, context), repeat)  # noqa: B023
        print(f"  {name:16} plain {before * 1000:6.1f} ms   sandbox {after * 1000:6.1f} ms   ({after / before:.2f}x)")
    whole = best(lambda: render_html(digest), max(1, repeat // 4))
    print(f"  for scale: the whole HTML part (sandbox + premailer inlining + size check): {whole * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=110_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bench_render(args.repeat * 4)
    bench_config(args.sources, args.repeat)


if __name__ == "__main__":
    main()
