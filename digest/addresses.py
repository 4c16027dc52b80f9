"""E-mail addresses: validating and masking one mailbox, a leaf that config and deliver both use.

Config checks subscribers' addresses when it loads; delivery checks `email.to` and address files.
An address leaves this module only masked (`a***@e***.com`) in any message a human or a log reads.
"""

from __future__ import annotations

import re
import unicodedata

# RFC 5322 atext (ASCII: a non-ASCII mailbox name would need SMTPUTF8 from every hop)
_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_NAMED = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>$")


def mask_address(address: str) -> str:
    """`alice@example.com` -> `a***@e***.com`: enough to tell people apart, not to write to them."""
    text = address.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return (text[:1] + "***") if text else "***"
    head, dot, tld = domain.rpartition(".")
    masked_domain = f"{head[:1]}***.{tld}" if dot and head else f"{domain[:1]}***"
    return f"{local[:1]}***@{masked_domain}"


def address_problem(address: str) -> str | None:
    """Why `address` (a bare addr-spec) cannot be a recipient, or None when it can."""
    if not address:
        return "empty"
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in address):
        return "contains spaces or control characters"
    if address.count("@") != 1:
        return "needs exactly one @" if "@" in address else "has no @"
    local, domain = address.split("@")
    if not local:
        return "nothing before the @"
    if not domain:
        return "nothing after the @"
    if len(local.encode("utf-8")) > 64:
        return "the part before the @ is longer than 64 bytes"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "dots at the start, the end or twice in a row before the @"
    if not local.isascii():
        return "non-ASCII letters before the @ are not supported"
    if not all(_ATEXT.match(part) for part in local.split(".")):
        return "characters that are not allowed before the @"
    try:
        ascii_domain = to_ascii_domain(domain)
    except UnicodeError:
        return f"the domain {domain!r} is not a valid host name"
    labels = ascii_domain.rstrip(".").split(".")
    if not all(_LABEL.match(label) for label in labels):
        return f"the domain {domain!r} is not a valid host name"
    if len(labels) < 2 and ascii_domain.lower() != "localhost":
        return f"the domain {domain!r} has no dot (a typo for {domain}.com?)"
    if len(local) + 1 + len(ascii_domain) > 254:
        return "longer than 254 characters"
    return None


def parse_mailbox(value: str) -> tuple[str, str]:
    """`Name <addr>` or `addr` -> (name, addr); raises ValueError with a reason (address masked)."""
    text = value.strip()
    match = _NAMED.match(text)
    name, address = (match.group("name").strip().strip('"').strip(), match.group("addr").strip()) if match else ("", text)
    if "<" in address or ">" in address:
        raise ValueError(f"{mask_address(address)}: unbalanced < >")
    problem = address_problem(address)
    if problem:
        raise ValueError(f"{mask_address(address)} is not a valid e-mail address ({problem})")
    name = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in name).strip()
    return name, address


def to_ascii_domain(domain: str) -> str:
    """A domain in the form SMTP and mail headers accept without SMTPUTF8 (IDNA / punycode)."""
    if domain.isascii():
        return domain
    return domain.encode("idna").decode("ascii")
