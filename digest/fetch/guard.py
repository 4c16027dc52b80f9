"""Which addresses a request may reach: fetches must not probe the user's network.

A feed entry can point its full-text link at `http://127.0.0.1:6379/` or a cloud metadata
address, and a configured feed can redirect there; such a hop is refused unless its host (and
port) is listed in `allow_hosts`: `fetch.allow_hosts`, and for configured sources the hosts of
the config's own URLs.  The check runs on the resolved addresses of every hop, redirects
included, and returns them: the connection is made to exactly those (see `connect`), so a DNS
name cannot answer a public address to the check and 127.0.0.1 to the connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from ..config import split_host_port

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> its addresses; the engine takes one, so tests can answer without DNS
Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]
DEFAULT_PORTS = (80, 443)


class AddressRefused(Exception):
    """The host resolves to an address this request may not reach (carries the one-line reason)."""


class LookupFailed(Exception):
    """DNS could not resolve the host."""


def is_public(address: IPAddress) -> bool:
    """True for globally routable unicast addresses; IPv4-mapped IPv6 is judged as its IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def host_allowed(host: str, port: int, allow_hosts: Iterable[str]) -> bool:
    """A host listed in allow_hosts (exactly, or as a parent domain) skips the address check:
    on the listed port, or on 80 and 443 when the entry names none."""
    index = _allow_index(tuple(allow_hosts))
    labels = host.lower().rstrip(".").strip("[]").split(".")
    for i in range(len(labels)):  # the host itself, then each parent domain
        ports = index.get(".".join(labels[i:]))
        if ports is not None and (port in ports or (None in ports and port in DEFAULT_PORTS)):
            return True
    return False


@lru_cache(maxsize=64)
def _allow_index(entries: tuple[str, ...]) -> dict[str, frozenset[int | None]]:
    """host -> its allowed ports (None: 80 and 443), parsed once per list: a run checks every
    request of its thousands of sources against the same list of their hosts."""
    index: dict[str, set[int | None]] = {}
    for entry in entries:
        allowed, allowed_port = split_host_port(entry)
        index.setdefault(allowed, set()).add(allowed_port)
    return {host: frozenset(ports) for host, ports in index.items()}


def host_entry(url: str) -> str | None:
    """`host:port` of an http(s) URL, as an allow_hosts entry (None for other URLs)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return _entry(parts.hostname, port)


def _entry(host: str, port: int) -> str:
    """`host:port` as written in allow_hosts (an IPv6 address in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def system_resolve(host: str, port: int) -> list[IPAddress]:
    """The host's addresses from the system resolver, in its order of preference."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise LookupFailed(host) from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


async def check_host(host: str, port: int, allow_hosts: Iterable[str], resolve: Resolver,
                     *, name: str | None = None) -> list[IPAddress]:
    """The addresses to connect to for `host` (looked up as `name`, its IDNA form, when given);
    AddressRefused if one is loopback/private/reserved and the host is not allowed."""
    host = host.strip("[]")
    allowed = host_allowed(host, port, allow_hosts)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        if not allowed and (host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost")):
            raise AddressRefused(f"refused to fetch {host} (a loopback address)") from None
        try:
            addresses = list(await resolve(name or host, port))
        except (socket.gaierror, UnicodeError) as exc:
            raise LookupFailed(host) from exc
        if not addresses:
            raise LookupFailed(host)
    if allowed:
        return addresses
    for address in addresses:
        if not is_public(address):
            kind = "a loopback" if address.is_loopback else "a private or reserved"
            listed = host if port in DEFAULT_PORTS else _entry(host, port)
            raise AddressRefused(f"refused to fetch {host} ({kind} address {address}); "
                                 f"list {listed} in fetch.allow_hosts to allow it")
    return addresses
