"""Canonical URLs: the same article linked two ways must compare equal, and nothing else may.

Only what cannot change the page is removed: the fragment, the tracking parameters that
mail and social tools append (utm_*, fbclid, gclid, …), a default port, and the case of
scheme and host.  Path and the remaining query are kept byte for byte (their order too),
because servers may treat them as significant.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

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
    """Absolute, fragment-free, tracking-free form of `url` (resolved against `base`).

    Returns "" for values that are not http(s) links after resolving (javascript:, data:,
    mailto: and friends are never an article's address).
    """
    url = url.strip()
    if not url:
        return ""
    if base and not _SCHEME.match(url):
        try:
            url = urljoin(base, url)
        except ValueError:
            return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += f":{parts.password}"
        netloc = f"{userinfo}@{netloc}"
    query = "&".join(
        pair for pair in parts.query.split("&")
        if pair and not is_tracking_param(pair.split("=", 1)[0])
    )
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))
