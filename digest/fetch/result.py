"""What the fetcher is asked for and what it answers (a leaf: no I/O, no httpx)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

FetchStatus = Literal["ok", "not_modified", "error"]


@dataclass(frozen=True)
class FetchRequest:
    key: str  # the source name, or the article URL for full-text fetches
    url: str
    etag: str | None = None
    last_modified: str | None = None
    # file: URLs are read only for sources named in the config, never for links found in content
    allow_file: bool = False
    # a URL from the config may be private (its own host:port is allowed); every other hop, and every
    # hop of a link found in content (False), may not reach loopback/private addresses unless listed
    allow_private: bool = True
    allow_hosts: tuple[str, ...] = ()  # `host` (ports 80/443) or `host:port`, as fetch.allow_hosts


@dataclass(frozen=True)
class FetchResult:
    key: str
    url: str  # as requested
    status: FetchStatus
    final_url: str = ""  # after redirects; what relative links resolve against
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    error: str | None = None  # one line, for the run report: "HTTP 404", "timed out after 30s"
    etag: str | None = None
    last_modified: str | None = None
    bytes_read: int = 0  # on the wire, for the benchmarks
    elapsed: float = 0.0
