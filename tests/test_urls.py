"""URL canonicalization: the same article linked two ways compares equal, nothing else changes."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.urls import canonical_url, is_tracking_param


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://Example.COM/a?utm_source=x&id=3#top", "", "https://example.com/a?id=3"),
        ("HTTP://example.com:80/a", "", "http://example.com/a"),
        ("https://example.com:8443/a", "", "https://example.com:8443/a"),
        ("/2024/06/post", "https://blog.example.com/feed.xml", "https://blog.example.com/2024/06/post"),
        ("post.html?fbclid=abc", "https://example.com/dir/", "https://example.com/dir/post.html"),
        ("https://example.com", "", "https://example.com/"),
        ("https://example.com/a?b=2&a=1&gclid=z&mc_cid=q", "", "https://example.com/a?b=2&a=1"),
        ("https://example.com/%E4%B8%AD%E6%96%87?q=%20", "", "https://example.com/%E4%B8%AD%E6%96%87?q=%20"),
        ("javascript:alert(1)", "https://example.com/", ""),
        ("data:text/html,<script>", "", ""),
        ("mailto:a@example.com", "", ""),
        ("ftp://example.com/file", "", ""),
        ("", "https://example.com/", ""),
        ("https://[::1]:8080/x", "", "https://[::1]:8080/x"),
        ("https://example.com:99999/", "", ""),
    ],
)
def test_canonical_url(url: str, base: str, expected: str) -> None:
    assert canonical_url(url, base) == expected


segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.~%", min_size=0, max_size=8)
param_name = st.one_of(st.sampled_from(["utm_source", "utm_medium", "fbclid", "gclid", "id", "page", "q", "ref"]),
                       st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6))
urls = st.builds(
    lambda scheme, host, path, params, frag: f"{scheme}://{host}/{'/'.join(path)}"
    + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "") + (f"#{frag}" if frag else ""),
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["example.com", "News.Example.CN", "a.b.example.org:8080", "127.0.0.1"]),
    st.lists(segment, max_size=4),
    st.lists(st.tuples(param_name, segment), max_size=5),
    st.one_of(st.none(), segment),
)


@given(urls)
def test_canonicalization_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(urls)
def test_keeps_scheme_host_path_and_non_tracking_params(url: str) -> None:
    before, after = urlsplit(url), urlsplit(canonical_url(url))
    assert after.scheme == before.scheme.lower()
    assert after.hostname == before.hostname
    assert after.path == (before.path or "/")
    kept = [(k, v) for k, v in parse_qsl(before.query, keep_blank_values=True) if not is_tracking_param(k)]
    assert parse_qsl(after.query, keep_blank_values=True) == kept
    assert after.fragment == ""
