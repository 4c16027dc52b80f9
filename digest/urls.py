"""Canonical URLs: the same article linked two ways must compare equal, and nothing else may.

Only what cannot change the page is removed or rewritten (RFC 3986, section 6.2.2): the fragment,
the tracking parameters that mail and social tools append (utm_*, fbclid, gclid, …), a default
port, the case of scheme and host, an IDN host (written as punycode), percent-escapes (hex in
upper case; escaped unreserved characters such as %7E decoded; anything outside ASCII escaped
as UTF-8, so `/文章` and `/%E6%96%87%E7%AB%A0` are one URL) and dot segments (`/a/../b` is `/b`).
The order of the remaining query parameters is kept, because servers may treat it as significant.

Canonical links are item ids and history keys, so a change here would make items already sent
look new: `canonical_and_legacy` also gives the previous form, which dedup matches against too.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

# Parameters that only say how a reader arrived, never which page they get.
_TRACKING_PREFIXES = ("utm_", "mtm_", "hmb_", "__hs", "vero_")
_TRACKING_NAMES = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "ttclid", "igshid",
    "mc_cid", "mc_eid", "mkt_tok", "_ga", "_gl", "oly_anon_id", "oly_enc_id", "rb_clickid",
    "s_cid", "wickedid", "spm", "ref_src", "cmpid", "__twitter_impression", "share_from",
    "xtor", "at_medium", "at_campaign", "pk_campaign", "pk_kwd", "pk_source", "pk_medium",
    "pk_content", "_hsenc", "_hsmi",
})
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str, base: str = "") -> str:
    """Absolute, fragment-free, tracking-free, RFC 3986-normalised form of `url` (resolved against `base`).

    Returns "" for values that are not http(s) links after resolving (javascript:, data:,
    mailto: and friends are never an article's address).
    """
    parts = _split(url, base)
    return _canonical(*parts) if parts is not None else ""


def canonical_and_legacy(url: str, base: str = "") -> tuple[str, str]:
    """`canonical_url` and the form before RFC 3986 normalisation (path and query byte for byte).

    The legacy form is only for matching what earlier versions stored (sent-item history, first-seen
    ids); nothing new is recorded under it.  It can go once no state file holds records older than the change.
    """
    parts = _split(url, base)
    if parts is None:
        return "", ""
    scheme, host, port, userinfo, path, query = parts
    legacy_query = "&".join(p for p in query.split("&") if p and not is_tracking_param(p.split("=", 1)[0]))
    legacy = urlunsplit((scheme, _netloc(host, port, scheme, userinfo), path or "/", legacy_query, ""))
    return _canonical(*parts), legacy


def _canonical(scheme: str, host: str, port: int | None, userinfo: str, path: str, query: str) -> str:
    netloc = _netloc(_ascii_host(host), port, scheme, userinfo)
    path = _remove_dot_segments(_escapes(path or "/", _PATH_SAFE)) or "/"
    query = "&".join(
        pair for pair in (_escapes(p, _QUERY_SAFE) for p in query.split("&"))
        if pair and not is_tracking_param(pair.split("=", 1)[0])
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def _split(url: str, base: str) -> tuple[str, str, int | None, str, str, str] | None:
    """Scheme, lower-case host, port, userinfo, path and query of an absolute http(s) URL, or None."""
    url = url.strip()
    if not url:
        return None
    if base and not _SCHEME.match(url):
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    userinfo = ""
    if parts.username or parts.password:
        userinfo = (parts.username or "") + (f":{parts.password}" if parts.password else "")
    host = parts.hostname.lower().rstrip(".")
    if not host:
        return None  # "https://./"
    return scheme, host, port, userinfo, parts.path, parts.query


def _netloc(host: str, port: int | None, scheme: str, userinfo: str) -> str:
    netloc = f"[{host}]" if ":" in host else host  # IPv6 literal
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return f"{userinfo}@{netloc}" if userinfo else netloc


def _ascii_host(host: str) -> str:
    """An internationalised host name as punycode (IDNA 2008 with UTS 46 mapping), as DNS sees it."""
    if host.isascii():
        return host
    import idna

    try:
        return str(idna.encode(host, uts46=True).decode("ascii"))
    except idna.IDNAError:
        try:
            return host.encode("idna").decode("ascii")  # IDNA 2003 reads a few names 2008 refuses
        except UnicodeError:
            return host


_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_PATH_SAFE = frozenset(_UNRESERVED | set("!$&'()*+,;=:@/"))
_QUERY_SAFE = frozenset(_PATH_SAFE | {"?"})
_HEX = frozenset(string.hexdigits)
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*")  # _QUERY_SAFE, nothing to rewrite


def _escapes(part: str, safe: frozenset[str]) -> str:
    """Percent-escapes in normal form: %7E -> ~, %e6 -> %E6, 文 -> %E6%96%87, a stray % -> %25."""
    if _PLAIN_QUERY.fullmatch(part) and (safe is _QUERY_SAFE or "?" not in part):
        return part  # the common case: nothing to do
    out: list[str] = []
    i, n = 0, len(part)
    while i < n:
        ch, pair = part[i], part[i + 1:i + 3]
        if ch == "%" and len(pair) == 2 and all(c in _HEX for c in pair):
            decoded = chr(int(pair, 16))
            out.append(decoded if decoded in _UNRESERVED else f"%{pair.upper()}")
            i += 3
            continue
        out.append(ch if ch in safe else quote(ch, safe=""))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for an absolute path: `/a/./b/../c` -> `/a/c`."""
    if "/." not in path:
        return path  # a dot segment always follows a slash
    segments = path.split("/")
    out = [""]
    last = len(segments) - 1
    for index, segment in enumerate(segments[1:], start=1):
        if segment in (".", ".."):
            if segment == ".." and len(out) > 1:
                out.pop()
            if index == last:
                out.append("")  # "/a/b/.." is the folder "/a/"
            continue
        out.append(segment)
    return "/".join(out) or "/"
