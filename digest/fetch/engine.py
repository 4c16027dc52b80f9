"""The async fetch engine: one httpx pool per run, global and per-host limits, deadlines, retries.

Deadlines are asyncio timeouts around the whole request (redirects, retries and body
included), because httpx's read timeout restarts on every byte and a server dripping one
byte a second would otherwise keep a fetch alive for ever.  The per-request clock starts
when the request gets its connection slot, so waiting behind a busy host does not eat it.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import logging
import os
import random
import re
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from ..config import FetchSettings
from ..deadline import RUN_DEADLINE
from .body import ACCEPT_ENCODING, BadEncoding, BodyTooLarge, read_capped
from .connect import PinnedTransport, pinned
from .guard import AddressRefused, IPAddress, LookupFailed, Resolver, check_host, host_entry, system_resolve
from .local import read_file
from .reasons import http_status, one_line, seconds_text, size_text, transport_reason, truncated_reason
from .result import FetchRequest, FetchResult

log = logging.getLogger("digest.fetch")

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/html;q=0.7, */*;q=0.5"
)
MAX_REDIRECTS = 10
REDIRECTS = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 503)
# Response headers that describe the wire, not the body we hand on (which is decoded).
_WIRE_HEADERS = ("content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive")

# What may stand in a host after IDNA encoding: names, IPv4, and IPv6 literals.
_HOST = re.compile(r"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+")


class _Failed(Exception):
    """A request ended with a one-line reason (internal: becomes an error result)."""

    def __init__(self, reason: str, url: str) -> None:
        self.reason = reason
        self.url = url
        super().__init__(reason)


def default_user_agent() -> str:
    """`digest/<version> (+homepage)`: servers that block anonymous clients can see who we are."""
    return f"digest/{_version()} (+https://github.com/digest-dev/digest)"


def _version() -> str:
    from .. import __version__

    return __version__


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """The run's one connection pool; redirects and decoding are ours, so they stay off here.

    Connections go only to addresses the guard checked (see `connect`); no proxy from the
    environment is used, for configured sources or for links found in content."""
    limits = httpx.Limits(
        max_connections=settings.concurrency + 4,
        max_keepalive_connections=settings.concurrency,
        keepalive_expiry=30.0,
    )
    return httpx.AsyncClient(
        transport=PinnedTransport(
            ssl_context=_tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")),
            http2=True, limits=limits,
        ),
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        headers={
            "user-agent": settings.user_agent or default_user_agent(),
            "accept": ACCEPT,
            "accept-encoding": ACCEPT_ENCODING,
        },
    )


@functools.lru_cache(maxsize=4)
def _tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """httpx's own verifying context (certifi's CAs, or SSL_CERT_FILE / SSL_CERT_DIR, which it reads
    itself), made once per process and CA setting: loading the CA bundle costs about 30 ms of CPU,
    paid at the start of every collection and full-text fetch when each client made its own."""
    return httpx.create_ssl_context()


class Engine:
    """Fetches requests over one client, honouring the settings' limits; never raises per request."""

    def __init__(self, client: httpx.AsyncClient, settings: FetchSettings, resolve: Resolver = system_resolve) -> None:
        self.client = client
        self.settings = settings
        self.resolve = resolve
        self.addresses: dict[tuple[str, int], Sequence[IPAddress]] = {}
        self.slots = asyncio.Semaphore(settings.concurrency)
        self.hosts: dict[str, asyncio.Semaphore] = {}

    def host_slots(self, host: str) -> asyncio.Semaphore:
        key = host.lower()
        if key not in self.hosts:
            self.hosts[key] = asyncio.Semaphore(self.settings.per_host)
        return self.hosts[key]

    async def _lookup(self, name: str, port: int) -> Sequence[IPAddress]:
        """A host's addresses, looked up once per batch of fetches (the sources, or the full-text
        pages): a thousand links to one site cost one lookup, and every connection gets one answer."""
        key = (name.lower(), port)
        if key not in self.addresses:
            self.addresses[key] = await self.resolve(name, port)
        return self.addresses[key]

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """One request to a result, errors included; the elapsed time is filled in."""
        started = time.perf_counter()
        try:
            result = await self._fetch(request)
        except Exception as exc:  # a bug here must cost one source, not the run
            log.exception("unexpected error fetching %s", request.url)
            result = _error(request, request.url, one_line(f"unexpected error: {exc.__class__.__name__}: {exc}"))
        return replace(result, elapsed=time.perf_counter() - started)

    async def _fetch(self, request: FetchRequest) -> FetchResult:
        scheme = urlsplit(request.url).scheme.lower()
        if scheme == "file":
            async with self.slots:
                return await asyncio.to_thread(read_file, request, self.settings.max_bytes)
        if scheme not in ("http", "https"):
            return _error(request, request.url, f"unsupported URL scheme {scheme + ':' if scheme else '(none)'}"
                          " (expected http, https or file)")
        url = request.url
        try:
            async with asyncio.timeout(None) as clock:
                return await self._http(request, clock)
        except TimeoutError:
            return _error(request, url, f"timed out after {seconds_text(self.settings.timeout)}")
        except _Failed as failed:
            return _error(request, failed.url, failed.reason)

    async def _http(self, request: FetchRequest, clock: asyncio.Timeout) -> FetchResult:
        loop = asyncio.get_running_loop()
        settings = self.settings
        allow_hosts = (*request.allow_hosts, *settings.allow_hosts)
        own = host_entry(request.url) if request.allow_private else None
        if own is not None:  # a configured URL may be private; where it redirects is checked
            allow_hosts += (own,)
        headers: dict[str, str] = {}
        if request.etag:
            headers["if-none-match"] = request.etag
        if request.last_modified:
            headers["if-modified-since"] = request.last_modified
        url = request.url
        visited = [url]
        attempt = 0
        while True:
            try:
                target = httpx.URL(url)
            except (httpx.InvalidURL, TypeError, ValueError) as exc:
                raise _Failed(f"invalid URL ({one_line(str(exc))})", url) from None
            host = target.host
            if not host:
                raise _Failed("invalid URL (no host)", url)
            if not _HOST.fullmatch(target.raw_host.decode("ascii", "replace")):
                raise _Failed(f"invalid URL (bad host name {one_line(host, 80)!r})", url)
            retry_in: float | None = None
            async with self.host_slots(host), self.slots:
                if clock.when() is None:
                    clock.reschedule(loop.time() + settings.timeout)
                try:
                    port = target.port or (443 if target.scheme == "https" else 80)
                    name = target.raw_host.decode("ascii")
                    addresses = await check_host(host, port, allow_hosts, self._lookup, name=name)
                    with pinned(name, port, addresses):
                        response = await self.client.send(self.client.build_request("GET", target, headers=headers),
                                                          stream=True)
                except AddressRefused as exc:
                    raise _Failed(str(exc), url) from None
                except LookupFailed:
                    raise _Failed(f"DNS lookup failed for {host}", url) from None
                except httpx.TimeoutException as exc:
                    if attempt < settings.retries and isinstance(exc, httpx.PoolTimeout):
                        attempt += 1
                        continue
                    raise _Failed(transport_reason(exc, host, settings.connect_timeout, settings.timeout), url) from None
                except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                    # a dropped keep-alive connection or a flaky server: worth another try
                    if attempt < settings.retries:
                        attempt += 1
                        retry_in = _backoff(attempt)
                        response = None
                    else:
                        raise _Failed(transport_reason(exc, host, settings.connect_timeout, settings.timeout), url) from None
                except httpx.HTTPError as exc:
                    raise _Failed(transport_reason(exc, host, settings.connect_timeout, settings.timeout), url) from None
                if response is not None:
                    try:
                        status = response.status_code
                        if status in REDIRECTS:
                            url = self._next_hop(response, url, visited)
                            continue
                        if status == 304:
                            return _not_modified(request, url, response)
                        if status in RETRY_STATUSES and attempt < settings.retries:
                            attempt += 1
                            retry_in = _retry_after(response.headers.get("retry-after"), attempt)
                            remaining = (clock.when() or loop.time()) - loop.time()
                            if retry_in >= remaining:
                                raise _Failed(
                                    f"{http_status(status, response.reason_phrase)} (asked to retry in "
                                    f"{seconds_text(round(retry_in))}, past the {seconds_text(settings.timeout)} deadline)",
                                    url,
                                )
                        elif status >= 400:
                            raise _Failed(http_status(status, response.reason_phrase), url)
                        elif 300 <= status < 400:
                            raise _Failed(f"{http_status(status, response.reason_phrase)} (a redirect we cannot follow)", url)
                        else:
                            return await self._read(request, url, response)
                    finally:
                        await response.aclose()
            if retry_in is not None:
                log.debug("retrying %s in %.1fs (attempt %d)", url, retry_in, attempt + 1)
                await asyncio.sleep(retry_in)

    def _next_hop(self, response: httpx.Response, url: str, visited: list[str]) -> str:
        location = response.headers.get("location")
        status = http_status(response.status_code, response.reason_phrase)
        if not location:
            raise _Failed(f"{status} without a Location header", url)
        try:
            nxt = str(response.url.join(location.strip()))
        except (httpx.InvalidURL, ValueError, TypeError):
            raise _Failed(f"{status} to an invalid URL ({one_line(location, 80)})", url) from None
        scheme = urlsplit(nxt).scheme.lower()
        if scheme not in ("http", "https"):
            raise _Failed(f"redirect to a {scheme}: URL refused ({one_line(nxt, 80)})", url)
        if nxt in visited:
            raise _Failed(f"redirect loop ({' → '.join(one_line(v, 80) for v in [*visited[visited.index(nxt):], nxt])})", url)
        if len(visited) > MAX_REDIRECTS:
            raise _Failed(f"too many redirects (more than {MAX_REDIRECTS})", url)
        visited.append(nxt)
        return nxt

    async def _read(self, request: FetchRequest, url: str, response: httpx.Response) -> FetchResult:
        limit = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and not response.headers.get("content-encoding"):
            raise _Failed(f"response larger than {size_text(limit)} ({size_text(int(declared))} announced)", url)
        try:
            body, wire = await read_capped(response.aiter_raw(), response.headers.get("content-encoding", ""), limit)
        except BodyTooLarge as exc:
            if exc.decompressed:
                raise _Failed(f"response larger than {size_text(limit)} when decompressed", url) from None
            raise _Failed(f"response larger than {size_text(limit)}", url) from None
        except BadEncoding as exc:
            raise _Failed(str(exc), url) from None
        except httpx.TimeoutException:
            raise _Failed(f"timed out after {seconds_text(self.settings.timeout)}", url) from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:  # the body broke off: not an empty feed
            raise _Failed(truncated_reason(exc, declared), url) from None
        except httpx.HTTPError as exc:
            raise _Failed(transport_reason(exc, response.url.host, self.settings.connect_timeout,
                                           self.settings.timeout), url) from None
        headers = _headers(response, url)
        return FetchResult(
            request.key, request.url, "ok", final_url=url, body=body, headers=headers,
            etag=headers.get("etag"), last_modified=headers.get("last-modified"), bytes_read=wire,
        )


def _headers(response: httpx.Response, url: str) -> dict[str, str]:
    """Lower-cased, repeated headers joined; content-location is the URL the body came from."""
    headers: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        key = name.lower()
        if key in _WIRE_HEADERS:
            continue
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    headers["content-location"] = url
    return headers


def _not_modified(request: FetchRequest, url: str, response: httpx.Response) -> FetchResult:
    # A 304 may omit the validators; keep the ones we sent so the next run can ask again.
    return FetchResult(
        request.key, request.url, "not_modified", final_url=url, headers=_headers(response, url),
        etag=response.headers.get("etag") or request.etag,
        last_modified=response.headers.get("last-modified") or request.last_modified,
    )


def _error(request: FetchRequest, url: str, reason: str) -> FetchResult:
    return FetchResult(request.key, request.url, "error", final_url=url, error=one_line(reason),
                       etag=request.etag, last_modified=request.last_modified)


def _backoff(attempt: int) -> float:
    """0.5 s, 1 s, 2 s … with jitter, so retries from many sources do not arrive together."""
    delay: float = min(0.5 * 2.0 ** (attempt - 1), 30.0)
    return delay * random.uniform(0.8, 1.2)


def _retry_after(value: str | None, attempt: int) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); backoff when absent."""
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - datetime.now(UTC)).total_seconds())
    return _backoff(attempt)


async def fetch_many(
    requests: Sequence[FetchRequest],
    settings: FetchSettings,
    on_result: Callable[[FetchResult], None] | None = None,
    resolve: Resolver = system_resolve,
) -> list[FetchResult]:
    """Fetch everything concurrently within the run deadline; results in request order."""
    results: list[FetchResult | None] = [None] * len(requests)
    started = time.perf_counter()

    def report(result: FetchResult) -> None:
        if on_result is None:
            return
        try:
            on_result(result)
        except Exception:  # a broken progress display must not lose fetched sources
            log.exception("on_result callback failed for %s", result.key)

    async with make_client(settings) as client:
        engine = Engine(client, settings, resolve)

        async def one(index: int, request: FetchRequest) -> None:
            result = await engine.fetch(request)
            results[index] = result
            report(result)

        tasks = [asyncio.create_task(one(i, r)) for i, r in enumerate(requests)]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=max(settings.deadline, 0.0))
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    final: list[FetchResult] = []
    for request, maybe in zip(requests, results, strict=True):
        if maybe is None:
            maybe = FetchResult(request.key, request.url, "error", final_url=request.url, error=RUN_DEADLINE,
                                etag=request.etag, last_modified=request.last_modified,
                                elapsed=time.perf_counter() - started)
            report(maybe)
        final.append(maybe)
    return final
