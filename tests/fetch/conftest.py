"""The TLS server fixture shared by the HTTP/2 and SSRF tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import tls


@pytest.fixture
def tls_server() -> Iterator[tls.TLSServer]:
    with tls.tls_server() as server:
        yield server
