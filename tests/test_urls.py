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


# plain segments: nothing RFC 3986 would rewrite ("." and ".." segments, escapes, non-ASCII: see below)
segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_~", min_size=0, max_size=8)
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


# ---------------------------------------------------------------------------- RFC 3986 (issue 17)

@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.cn/文章/2024", "https://example.cn/%E6%96%87%E7%AB%A0/2024"),
        ("https://example.cn/%e6%96%87%e7%ab%a0", "https://example.cn/%E6%96%87%E7%AB%A0"),
        ("https://例子.中国/新闻/1.html", "https://xn--fsqu00a.xn--fiqs8s/%E6%96%B0%E9%97%BB/1.html"),
        ("https://Bücher.Example/a", "https://xn--bcher-kva.example/a"),
        ("https://example.com/a/../b", "https://example.com/b"),
        ("https://example.com/a/./b/../c/", "https://example.com/a/c/"),
        ("https://example.com/%7Euser/%2E%2E/x", "https://example.com/x"),
        ("https://example.com/s?q=%e4%b8%ad%e6%96%87&page=2", "https://example.com/s?q=中文&page=2"),
        ("https://example.com/a b", "https://example.com/a%20b"),
    ],
)
def test_equivalent_urls_are_one(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/a%2Fb", "https://example.com/a/b"),  # an escaped slash is data, not a separator
        ("https://example.com/s?b=2&a=1", "https://example.com/s?a=1&b=2"),  # query order is the server's business
        ("https://example.com/a?x=%26", "https://example.com/a?x=&"),
        ("https://example.com/Path", "https://example.com/path"),
    ],
)
def test_different_urls_stay_different(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


def test_relative_dot_segments_resolve_against_the_page() -> None:
    assert canonical_url("a/../b", "https://example.com/dir/page.html") == "https://example.com/dir/b"
    assert canonical_url("../文章", "https://example.com/dir/sub/") == "https://example.com/dir/%E6%96%87%E7%AB%A0"


messy_segment = st.one_of(
    st.sampled_from([".", "..", "%", "%7e", "%7E", "%2F", "%2f", "%e6%96%87", "%E6%96%87", "文章", "a b", "~", "%zz"]),
    st.text(alphabet="abcXYZ019-._~%!$&'()*+,;=:@ 文章é", max_size=6),
)
messy_urls = st.builds(
    lambda scheme, host, path, params: f"{scheme}://{host}/{'/'.join(path)}"
    + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else ""),
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["example.com", "例子.中国", "Bücher.example", "xn--bcher-kva.example", "EXAMPLE.com.", "[::1]:8080"]),
    st.lists(messy_segment, max_size=5),
    st.lists(st.tuples(param_name, messy_segment), max_size=4),
)


@given(messy_urls)
def test_normalisation_is_idempotent_and_ascii(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert once.isascii()
    assert "/./" not in once and "/../" not in once


@given(messy_urls, st.sampled_from(["https://example.com/", "https://例子.中国/dir/x.html"]))
def test_normalisation_is_idempotent_with_a_base(url: str, base: str) -> None:
    relative = url.split("/", 3)[-1]
    once = canonical_url(relative, base)
    assert canonical_url(once) == once
