"""How long rendering takes: jinja2 alone (baseline) vs. the full HTML part, and an over-budget digest.

    python -m bench.speed.render [--repeat 5]

Ratios are against the jinja2-only render of the same digest, measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from digest.models import Digest
from digest.render import render_html, render_text
from digest.render.env import environment, render_template
from digest.render.html import HTML_TEMPLATE, PREHEADER_FILLER
from digest.render.view import build_view
from tests.support import sample_digests


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    big: Digest = sample_digests.big_digest()
    huge = sample_digests.oversized_chinese_digest()
    env = environment(None)

    def jinja_only() -> str:
        context = {"d": build_view(big), "web": False, "unsubscribe_url": None, "preheader_filler": PREHEADER_FILLER}
        return render_template(env, HTML_TEMPLATE, context)

    render_html(big)  # warm caches (imports, cssutils) so the first timing is not an import
    baseline = best(jinja_only, args.repeat)
    rows = [
        ("jinja2 only, 60 items (baseline)", baseline),
        ("render_html, 60 items (jinja2 + premailer + size)", best(lambda: render_html(big), args.repeat)),
        ("render_text, 60 items", best(lambda: render_text(big), args.repeat)),
        ("render_html, 150 items over budget (trim search)", best(lambda: render_html(huge), args.repeat)),
    ]
    out = render_html(huge)
    print(f"{'case':52} {'median s':>9} {'x baseline':>11}")
    for name, seconds in rows:
        print(f"{name:52} {seconds:9.3f} {seconds / baseline:11.1f}")
    print(
        f"over-budget digest: {out.encoded_size} bytes {out.transfer_encoding}, "
        f"{len(out.trimmed)} summaries trimmed, {len(out.overflow)} moved to more stories"
    )


if __name__ == "__main__":
    main()
