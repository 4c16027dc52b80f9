"""Connecting to the addresses the guard checked, not to whatever DNS answers next.

The engine resolves each hop's host and checks the addresses (see `guard`).  If httpx then looked
the name up again to connect, a hostile DNS server could answer a public address to the check and
127.0.0.1 to the connection (DNS rebinding).  So the engine pins the checked addresses for the
request (`pinned`, a context variable: every request runs in its own task) and the network
backend below connects only to them; with no pin for the host it connects nowhere.  The URL keeps
its host name, so the Host header, TLS SNI and certificate verification are all for the name.

httpx's own transport takes no network backend, so `PinnedTransport` is the few lines that hand a
request to an httpcore pool, mapping httpcore's exceptions to httpx's as httpx does.  It never
uses a proxy: the environment's proxy settings are not read (`trust_env=False` on the client).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from .guard import IPAddress

_pin: ContextVar[tuple[str, int, tuple[str, ...]] | None] = ContextVar("digest_pinned_addresses", default=None)

# httpcore's exceptions -> httpx's of the same name, most specific first (what httpx's transport does)
_MAPPED = ("ConnectTimeout", "ReadTimeout", "WriteTimeout", "PoolTimeout", "TimeoutException", "ConnectError",
           "ReadError", "WriteError", "NetworkError", "RemoteProtocolError", "LocalProtocolError", "ProtocolError",
           "UnsupportedProtocol")
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = tuple(
    (getattr(httpcore, name), getattr(httpx, name)) for name in _MAPPED)
_CORE_EXCEPTIONS = tuple(core for core, _ in _EXCEPTIONS)


@contextmanager
def pinned(host: str, port: int, addresses: Sequence[IPAddress]) -> Iterator[None]:
    """Inside this block, a new connection to host:port goes to `addresses` (in order) only."""
    token = _pin.set((host.lower(), port, tuple(str(a) for a in addresses)))
    try:
        yield
    finally:
        _pin.reset(token)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's asyncio backend, connecting to the pinned addresses instead of resolving the name."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        pin = _pin.get()
        if pin is None or pin[:2] != (host.lower(), port):
            raise httpcore.ConnectError(f"no checked address for {host}:{port}")  # a bug; fail closed
        failure: Exception | None = None
        for address in pin[2]:
            try:
                return await self._backend.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # the guard never pins an empty list
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class PinnedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore pool whose connections go through `PinnedBackend`."""

    def __init__(self, *, ssl_context: ssl.SSLContext, http2: bool, limits: httpx.Limits) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, http1=True, http2=http2, network_backend=PinnedBackend(),
            max_connections=limits.max_connections, max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host, port=request.url.port,
                             target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped():
            response = await self._pool.handle_async_request(core)
        return httpx.Response(status_code=response.status, headers=response.headers,
                              stream=_Body(response.stream), extensions=response.extensions)

    async def aclose(self) -> None:
        await self._pool.aclose()


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        with _mapped():
            await self._stream.aclose()


@contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except _CORE_EXCEPTIONS as exc:
        raise next(ours for core, ours in _EXCEPTIONS if isinstance(exc, core))(str(exc)) from exc
