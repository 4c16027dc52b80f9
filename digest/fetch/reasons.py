"""One-line reasons for the run report, translated from httpx/OS exceptions in this one place."""

from __future__ import annotations

import errno
import re
import socket
import ssl
from http import HTTPStatus

import httpx


def size_text(n: int) -> str:
    """10485760 -> '10 MB'; sizes as people say them in a report."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            value = n / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


def seconds_text(s: float) -> str:
    """30.0 -> '30s', 0.25 -> '0.25s'."""
    return f"{s:g}s"


def http_status(code: int, phrase: str = "") -> str:
    """'HTTP 404 Not Found' (HTTP/2 sends no reason phrase, so the standard one is used)."""
    if not phrase:
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = ""
    return " ".join(f"HTTP {code} {one_line(phrase)}".split())


def one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace and control characters; a reason must fit one report line."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def truncated_reason(exc: Exception, declared: str) -> str:
    """The body stopped short (the connection closed or broke mid-body): what arrived is not the document."""
    counts = re.search(r"received (\d+) bytes, expected (\d+)", str(exc))  # h11's words for a short body
    if counts:
        got, wanted = int(counts[1]), int(counts[2])
        return f"truncated response (the server closed the connection after {size_text(got)} of {size_text(wanted)})"
    if declared.isdigit():
        return f"truncated response (the connection ended before the {size_text(int(declared))} announced)"
    return "truncated response (the connection ended in the middle of the body)"


def transport_reason(exc: Exception, host: str, settings_connect: float, settings_total: float) -> str:
    """Map an httpx transport exception to what went wrong, in words."""
    chain = _chain(exc)
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed for {host}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS error: {one_line(cause.verify_message or 'certificate verify failed')}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {one_line(cause.reason or str(cause))}"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return f"network unreachable for {host}"
    text = str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connection timed out after {seconds_text(settings_connect)}"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {seconds_text(settings_total)}"
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "nodename nor servname" in lowered or "name resolution" in lowered \
                or "no address associated" in lowered:
            return f"DNS lookup failed for {host}"
        if "connection refused" in lowered or "connect call failed" in lowered:
            return "connection refused"
        return f"could not connect to {host}" + (f" ({one_line(text)})" if text else "")
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending" in text or "peer closed" in text.lower() or "incomplete" in text.lower():
            return "the server closed the connection before the response was complete"
        return f"the server broke the HTTP protocol ({one_line(text)})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return "connection lost while reading the response" if isinstance(exc, httpx.ReadError) \
            else "connection lost while sending the request"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"unsupported URL ({one_line(text)})"
    if isinstance(exc, httpx.InvalidURL | httpx.LocalProtocolError):
        return f"invalid URL ({one_line(text)})"
    return one_line(f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__)
