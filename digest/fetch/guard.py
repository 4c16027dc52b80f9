"""Which addresses a request may reach: links found in content must not probe the user's network.

A feed entry can point its full-text link at `http://127.0.0.1:6379/` or a cloud metadata
address; a request with `allow_private=False` is refused there unless the host is listed in
`allow_hosts`.  The check runs on the resolved addresses of every hop, redirects included.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """The host resolves to an address this request may not reach (carries the one-line reason)."""


class LookupFailed(Exception):
    """DNS could not resolve the host."""


def is_public(address: IPAddress) -> bool:
    """True for globally routable unicast addresses; IPv4-mapped IPv6 is judged as its IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def host_allowed(host: str, allow_hosts: Iterable[str]) -> bool:
    """A host listed in allow_hosts (exactly, or as a parent domain) skips the address check."""
    host = host.lower().rstrip(".")
    for allowed in allow_hosts:
        allowed = allowed.lower().rstrip(".").strip("[]")
        if host == allowed or host.endswith("." + allowed):
            return True
    return False


async def check_host(host: str, port: int, allow_hosts: Iterable[str]) -> None:
    """Raise AddressRefused if `host` is (or resolves to) a loopback/private/reserved address."""
    host = host.strip("[]")
    if host_allowed(host, allow_hosts):
        return
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        if host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost"):
            raise AddressRefused(f"refused to fetch {host} (a loopback address)")
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise LookupFailed(host) from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        if not is_public(address):
            kind = "a loopback" if address.is_loopback else "a private or reserved"
            raise AddressRefused(f"refused to fetch {host} ({kind} address {address}); list it in fetch.allow_hosts to allow it")
