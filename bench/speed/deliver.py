"""Delivery benchmarks: one reused SMTP connection vs a connection per message, and CJK part encodings.

    python -m bench.speed.deliver [--messages 200] [--repeat 3]

Sends to a local aiosmtpd (STARTTLS with a throwaway CA, AUTH) on 127.0.0.1, so the numbers are
the client's and the TLS handshakes' cost, not a network's; a real provider adds a round trip
per command, which makes reuse matter more, not less.  The baseline is what a naive script does:
`smtplib.SMTP` + STARTTLS + login per recipient.  Both are measured in the same run.
"""

from __future__ import annotations

import argparse
import dataclasses
import smtplib
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from digest.deliver import Mailer, Recipient, SmtpSettings, build_message, list_id, message_id
from digest.deliver.keys import Keyring
from digest.models import Section
from digest.state.secret import Secret
from tests.support.smtp import PASSWORD, USER, make_certs, sample_digest, simple_render, smtp_server


def messages(count: int) -> list[tuple[str, EmailMessage]]:
    digest = sample_digest()
    html, text = simple_render(digest)
    result = []
    keys = Keyring(Secret(b"a bench secret, 32 bytes long..."))  # message ids and unsubscribe ids are keyed
    for n in range(count):
        who = keys.bind(Recipient(f"reader{n}@example.com"))
        msg = build_message(html=html, text=text, subject="Morning brief", sender="digest@example.com", recipient=who,
                            message_id=message_id("example.com", date(2024, 6, 5), who),
                            sent_at=datetime.now(UTC), list_id=list_id("Morning brief", "example.com"))
        result.append((who.envelope, msg))
    return result


def reused(settings: SmtpSettings, batch: list[tuple[str, EmailMessage]]) -> float:
    start = time.perf_counter()
    with Mailer(settings, helo="example.com") as mailer:
        for rcpt, msg in batch:
            mailer.send(msg, sender="digest@example.com", recipient=rcpt)
    return time.perf_counter() - start


def per_message(settings: SmtpSettings, batch: list[tuple[str, EmailMessage]]) -> float:
    start = time.perf_counter()
    for rcpt, msg in batch:
        with smtplib.SMTP(settings.host, settings.port, local_hostname="example.com", timeout=30) as conn:
            conn.starttls(context=settings.tls_context())
            conn.login(settings.user, settings.password)
            conn.send_message(msg, from_addr="digest@example.com", to_addrs=[rcpt])
    return time.perf_counter() - start


def encodings() -> None:
    base = sample_digest("每日摘要", language="zh")
    para = "人工智能公司今天发布了新一代模型，在推理、编程和多语言任务上的表现均有明显提升。" * 3
    zh = base.sections[2].items[0]
    cjk = dataclasses.replace(base, sections=(Section("中文", tuple(
        dataclasses.replace(zh, id=f"zh-{i}", title=f"第{i}条：{zh.title}", summary=para) for i in range(60))),))
    en_base = sample_digest()
    en_item = en_base.sections[0].items[0]
    en_para = "The company released a new model today, with clear gains in reasoning, coding and multilingual tasks. " * 2
    english = dataclasses.replace(en_base, sections=(Section("Tech", tuple(
        dataclasses.replace(en_item, id=f"en-{i}", title=f"Story {i}: {en_item.title}", summary=en_para)
        for i in range(60))),))
    print("\nHTML part of a 60-item digest, bytes on the wire (lower is better):")
    print(f"{'digest':<10} {'raw UTF-8':>10} {'quoted-printable':>17} {'base64':>8} {'chosen':>8}")
    for name, digest in (("Chinese", cjk), ("English", english)):
        html, _ = simple_render(digest)
        sizes = {}
        for cte in ("quoted-printable", "base64"):
            part = EmailMessage(policy=policy.SMTP)
            part.set_content(html, subtype="html", cte=cte)
            del part["MIME-Version"]  # as in the sent message: only the top level carries it
            sizes[cte] = len(part.as_bytes())
        from digest.deliver import encoded_size

        print(f"{name:<10} {len(html.encode()):>10} {sizes['quoted-printable']:>17} {sizes['base64']:>8} "
              f"{encoded_size(html):>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        certs = make_certs(Path(tmp))
        with smtp_server("starttls", certs, auth=True) as srv:
            settings = SmtpSettings(host="localhost", port=srv.port, security="starttls", user=USER,
                                    password=PASSWORD, cafile=str(certs.ca))
            batch = messages(args.messages)
            ours, naive = [], []
            for _ in range(args.repeat):
                naive.append(per_message(settings, batch))
                ours.append(reused(settings, batch))
            assert len(srv.handler.messages) == 2 * args.repeat * args.messages
    m_ours, m_naive = statistics.median(ours), statistics.median(naive)
    print(f"{args.messages} messages over STARTTLS + AUTH to aiosmtpd on 127.0.0.1, median of {args.repeat}:")
    print(f"  connection per message (baseline): {m_naive:6.2f} s  ({args.messages / m_naive:6.0f} msg/s)")
    print(f"  one reused connection (digest)   : {m_ours:6.2f} s  ({args.messages / m_ours:6.0f} msg/s)")
    print(f"  speed-up: {m_naive / m_ours:.1f}x")
    encodings()


if __name__ == "__main__":
    main()
