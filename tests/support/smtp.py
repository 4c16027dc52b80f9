"""A real SMTP server (aiosmtpd) on a free loopback port, throwaway TLS certificates, sample digests.

Used by tests/deliver/ and bench/speed/deliver.py.  The server binds its socket before it starts, so there is no
window in which another process can take the port; it records every accepted message with the
connection it came on, and can refuse, defer or hang up on chosen recipients.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from digest.models import Digest, Item, Section, SourceResult, Stats

USER, PASSWORD = "digest-bot", "s3cret-pass"

# aiosmtpd warns "Session.login_data is deprecated" on every successful AUTH, from its own code
logging.getLogger("mail.log").setLevel(logging.ERROR)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: Any
    tls: bool
    authenticated: bool

    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The aiosmtpd handler: what arrived, and the answers to give to chosen recipients."""

    messages: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # rcpt -> final answer, e.g. "550 5.1.1 no such user"
    defer: dict[str, int] = field(default_factory=dict)  # rcpt -> how many "451" before accepting
    data_answers: dict[str, list[str]] = field(default_factory=dict)  # rcpt -> answers to its next DATAs, then 250
    on_mail: Callable[[int], str | None] | None = None  # called with the MAIL count; may answer instead
    mails: int = 0
    drop_after_data: bool | set[str] = False  # store the message (all, or these rcpts'), then hang up before "250"
    stall_after_data: bool = False  # store each message, then never answer
    data_delay: float = 0.0  # seconds before each "250" (a slow server)
    released: threading.Event = field(default_factory=threading.Event)  # ends the stalls at teardown

    async def _stall(self) -> None:
        import asyncio

        while not self.released.is_set():
            await asyncio.sleep(0.05)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        self.mails += 1
        if self.on_mail is not None:
            answer = self.on_mail(self.mails)
            if answer:
                return answer
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return f"451 4.3.0 <{address}> greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        pending = self.data_answers.get(envelope.rcpt_tos[0]) if envelope.rcpt_tos else None
        if pending:
            return pending.pop(0)
        self.messages.append(Received(
            mail_from=envelope.mail_from, rcpt_tos=list(envelope.rcpt_tos),
            data=envelope.original_content, peer=session.peer,
            tls=server.transport.get_extra_info("ssl_object") is not None,
            authenticated=bool(session.authenticated),
        ))
        drop = self.drop_after_data
        if drop is True or (isinstance(drop, set) and envelope.rcpt_tos[0] in drop):
            server.transport.abort()  # stored, and gone before the "250"
        if self.stall_after_data:
            await self._stall()
        if self.data_delay:
            import asyncio

            await asyncio.sleep(self.data_delay)
        return "250 2.0.0 accepted"

    @property
    def recipients(self) -> list[str]:
        return [r for m in self.messages for r in m.rcpt_tos]


class _BoundController(Controller):
    """aiosmtpd's Controller serving on a socket we bound to port 0 ourselves."""

    def __init__(self, handler: Recorder, sock: socket.socket, **kwargs: Any) -> None:
        self._sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1], **kwargs)

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


@dataclass(frozen=True)
class Certs:
    ca: Path  # the throwaway CA certificate (what DIGEST_SMTP_CAFILE points at)
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def make_certs(folder: Path, hostnames: tuple[str, ...] = ("localhost",), ips: tuple[str, ...] = ("127.0.0.1",)) -> Certs:
    """A CA and a server certificate signed by it, made now, valid for a day."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "digest test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(h) for h in hostnames]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0] if hostnames else "server")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = Certs(ca=folder / "ca.pem", cert=folder / "server.pem", key=folder / "server.key")
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    return paths


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: Recorder


@contextmanager
def smtp_server(mode: str = "plain", certs: Certs | None = None, *, auth: bool = False) -> Iterator[SmtpServer]:
    """Run aiosmtpd on 127.0.0.1:<free port>; mode plain | starttls (required) | ssl (implicit TLS)."""
    handler = Recorder()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    kwargs: dict[str, Any] = {"server_hostname": "localhost"}
    if mode == "starttls":
        assert certs is not None
        kwargs.update(tls_context=certs.server_context(), require_starttls=True)
    elif mode == "ssl":
        assert certs is not None
        kwargs.update(ssl_context=certs.server_context())
    if auth:
        # aiosmtpd only counts STARTTLS as TLS for AUTH; an implicit-TLS socket is encrypted from the start
        kwargs.update(authenticator=_authenticate, auth_required=True, auth_require_tls=mode != "ssl")
    controller = _BoundController(handler, sock, **kwargs)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", sock.getsockname()[1], handler)
    finally:
        handler.released.set()
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (no greeting): a stalled SMTP server."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield int(sock.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        sock.close()


# ---------------------------------------------------------------------------- digests

NOW = dt.datetime(2024, 6, 5, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DIGEST_DATE = dt.date(2024, 6, 5)


def item(title: str, section: str, n: int, *, language: str = "en", summary: str = "") -> Item:
    return Item(
        id=f"{section}-{n}", url=f"https://news.example.com/{section}/{n}", title=title, source=f"{section} wire",
        section=section, published=NOW - dt.timedelta(hours=n), dated=True, language=language,
        text=summary or f"Summary of {title}.", summary=summary or f"Summary of {title}.",
    )


def sample_digest(title: str = "Morning brief", *, headline: str = "Rust 2.0 released", language: str = "en") -> Digest:
    tech = Section("Tech", (item(headline, "Tech", 1, language=language), item("SQLite turns 25", "Tech", 2)))
    world = Section("World", (item("Elections in three countries", "World", 1),))
    china = Section("中文", (item("国产大模型发布新版本", "中文", 1, language="zh", summary="新版本在多个基准上表现更好。"),))
    return Digest(
        title=title, generated_at=NOW, since=NOW - dt.timedelta(hours=24), until=NOW, timezone="Asia/Shanghai",
        language=language, sections=(tech, world, china),
        sources=(SourceResult("Tech wire", "https://news.example.com/tech.xml", "ok", 2),),
        stats=Stats(fetched=10, duplicates=2, selected=4),
    )


def simple_render(digest: Digest) -> tuple[str, str]:
    """A stand-in for the real renderers: lists the section names and titles it was given."""
    text_lines = [digest.title, ""]
    html = [f"<html><body><h1>{digest.title}</h1>"]
    for section in digest.sections:
        text_lines.append(f"== {section.name} ==")
        html.append(f"<h2>{section.name}</h2><ul>")
        for it in section.items:
            text_lines.append(f"* {it.title}\n  {it.url}")
            html.append(f'<li><a href="{it.url}">{it.title}</a><p>{it.summary}</p></li>')
        html.append("</ul>")
    html.append("</body></html>")
    return "".join(html), "\n".join(text_lines) + "\n"


def section_names(received: Received) -> list[str]:
    """The sections a received message's plaintext part carries."""
    body = received.message().get_body(("plain",))
    assert body is not None
    text = body.get_content()
    return [line.strip("= ").strip() for line in text.splitlines() if line.startswith("== ")]




def wait_for(event: threading.Event, what: str, timeout: float = 20.0) -> None:
    if not event.wait(timeout):
        raise AssertionError(f"timed out waiting for {what}")
