"""file: URLs, read from disk for sources named in the config (never for links found in content)."""

from __future__ import annotations

import os
import stat
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .reasons import size_text
from .result import FetchRequest, FetchResult


def file_path(url: str) -> str:
    """The local path of a file: URL (`file:///a/b`, `file:/a/b`, `file://localhost/a/b`)."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"file URLs on another host are not supported ({parts.netloc})")
    return url2pathname(unquote(parts.path))


def read_file(request: FetchRequest, max_bytes: int) -> FetchResult:
    """Read a local file under the size cap; every failure is an error result with a reason."""
    if not request.allow_file:
        return FetchResult(request.key, request.url, "error", final_url=request.url,
                           error="file: URLs are read only for sources listed in the config")
    try:
        path = file_path(request.url)
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            return _error(request, f"{path} is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            # a pipe or device could block a worker thread for ever; feeds are plain files
            return _error(request, f"{path} is not a regular file")
        if info.st_size > max_bytes:
            return _error(request, f"file larger than {size_text(max_bytes)} ({path})")
        with open(path, "rb") as handle:
            body = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except FileNotFoundError:
        return _error(request, f"file not found: {url2pathname(unquote(urlsplit(request.url).path))}")
    except PermissionError:
        return _error(request, "permission denied reading the file")
    except (OSError, ValueError) as exc:
        return _error(request, f"cannot read the file ({getattr(exc, 'strerror', None) or exc})")
    if len(body) > max_bytes:
        return _error(request, f"file larger than {size_text(max_bytes)} ({path})")
    return FetchResult(
        request.key, request.url, "ok", final_url=request.url, body=body,
        headers={"content-location": request.url}, bytes_read=len(body),
    )


def _error(request: FetchRequest, reason: str) -> FetchResult:
    return FetchResult(request.key, request.url, "error", final_url=request.url, error=reason)
