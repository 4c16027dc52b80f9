"""Reading a response body under two caps: bytes on the wire and bytes after decompression.

httpx's own decoders inflate a whole network chunk at once (a 64 KB gzip chunk of zeros is
64 MB), so the body is read raw and inflated here with `max_length`, a slice at a time:
memory stays near the cap however hostile the server.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

# What we advertise in Accept-Encoding, and therefore all we need to decode.
ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(Exception):
    """The body passed the size cap; `decompressed` tells a compression bomb from a big file."""

    def __init__(self, limit: int, *, decompressed: bool) -> None:
        self.limit = limit
        self.decompressed = decompressed
        super().__init__(limit)


class BadEncoding(Exception):
    """The Content-Encoding is unknown or the compressed data is corrupt."""


class _Inflater:
    """zlib for gzip (wbits 16+15) and deflate (zlib-wrapped, or raw as some servers send)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.raw_fallback = encoding == "deflate"
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.obj = zlib.decompressobj(wbits)
        self.started = False

    def feed(self, data: bytes, room: int) -> tuple[bytes, bytes]:
        """Inflate at most `room` bytes; return (output, input still pending)."""
        try:
            out = self.obj.decompress(data, room)
        except zlib.error:
            if self.raw_fallback and not self.started:
                # "deflate" is often sent without the zlib header; retry as raw deflate once.
                self.raw_fallback = False
                self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data, room)
            raise BadEncoding(f"could not decompress the response (corrupt {self.encoding} data)") from None
        self.started = True
        if self.obj.eof:
            rest = self.obj.unused_data
            if rest.startswith(b"\x1f\x8b") and self.encoding != "deflate":
                # concatenated gzip members are legal: go on with the next one
                self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                return out, rest
            return out, b""  # trailing bytes after the stream end are ignored, as browsers do
        return out, self.obj.unconsumed_tail

    def flush(self, room: int) -> bytes:
        try:
            return self.obj.flush(room) if room > 0 else b""
        except zlib.error:
            raise BadEncoding(f"could not decompress the response (corrupt {self.encoding} data)") from None


def _encodings(header: str) -> list[str]:
    codings = [c.strip().lower() for c in header.split(",") if c.strip()]
    return [c for c in codings if c != "identity"]


async def read_capped(raw: AsyncIterator[bytes], content_encoding: str, limit: int) -> tuple[bytes, int]:
    """Read and decode a raw body stream; returns (body, wire_bytes); raises BodyTooLarge or BadEncoding."""
    codings = _encodings(content_encoding)
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise BadEncoding(f"the server sent an encoding we did not ask for (Content-Encoding: {coding})")
    if len(codings) > 1:
        raise BadEncoding(f"the server sent nested encodings we do not read (Content-Encoding: {content_encoding})")
    inflater = _Inflater(codings[0]) if codings else None
    parts: list[bytes] = []
    size = 0
    wire = 0
    async for chunk in raw:
        wire += len(chunk)
        if inflater is None:
            if wire > limit:
                raise BodyTooLarge(limit, decompressed=False)
            parts.append(chunk)
            continue
        if wire > limit:
            raise BodyTooLarge(limit, decompressed=False)
        pending = chunk
        while pending:
            out, pending = inflater.feed(pending, limit - size + 1)
            size += len(out)
            if size > limit:
                raise BodyTooLarge(limit, decompressed=True)
            parts.append(out)
    if inflater is not None:
        tail = inflater.flush(limit - size + 1)
        size += len(tail)
        if size > limit:
            raise BodyTooLarge(limit, decompressed=True)
        parts.append(tail)
    return b"".join(parts), wire
