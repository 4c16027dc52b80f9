"""Who gets the digest: `email.to` and `email.subscribers` turned into validated, masked recipients.

Pure except for reading address files named in `email.to`.  Addresses are checked up front, so a
typo stops the run before anything is fetched or sent, and they leave this module only masked
(`a***@e***.com`, plus a keyed `#tag` once `keys.Keyring` has bound the recipient) in anything a
human or a log will read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError

# RFC 5322 atext (ASCII: a non-ASCII mailbox name would need SMTPUTF8 from every hop)
_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_NAMED = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]*)>$")
_EMAILISH = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")


@dataclass(frozen=True)
class Recipient:
    """One mailbox and the sections it wants; its repr is masked so it is safe to log."""

    address: str  # the addr-spec as written (domain may be non-ASCII)
    name: str = ""  # display name, for the To: header
    sections: tuple[str, ...] = ()  # empty: every section
    # filled in by keys.Keyring.bind with the run's secret; never the address itself
    key: str = field(default="", compare=False)  # ledger key (HMAC)
    unsubscribe_id: str = field(default="", compare=False, repr=False)  # the `{id}` of the unsubscribe link
    tag: str = field(default="", compare=False)  # short keyed tag that tells masked addresses apart

    @property
    def masked(self) -> str:
        masked = mask_address(self.address)
        return f"{masked}#{self.tag}" if self.tag else masked

    @property
    def identity(self) -> str:
        """The address as it is compared (trimmed, case-folded): two spellings of one mailbox are one."""
        return self.address.strip().casefold()

    @property
    def envelope(self) -> str:
        """The address for RCPT TO and the To: header: an IDN domain in its ASCII (punycode) form."""
        local, _, domain = self.address.rpartition("@")
        return f"{local}@{_ascii_domain(domain)}"

    def wants(self, section: str) -> bool:
        return not self.sections or section.casefold() in {s.casefold() for s in self.sections}

    def __repr__(self) -> str:
        sections = ", ".join(self.sections) if self.sections else "all sections"
        return f"Recipient({self.masked}, {sections})"

    __str__ = __repr__


def mask_address(address: str) -> str:
    """`alice@example.com` -> `a***@e***.com`: enough to tell people apart, not to write to them."""
    text = address.strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return (text[:1] + "***") if text else "***"
    head, dot, tld = domain.rpartition(".")
    masked_domain = f"{head[:1]}***.{tld}" if dot and head else f"{domain[:1]}***"
    return f"{local[:1]}***@{masked_domain}"


def scrub_addresses(text: str) -> str:
    """Mask every e-mail address in a server's reply or an error text before it is shown or logged."""
    return _EMAILISH.sub(lambda m: mask_address(m.group(0)), text)


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
        ascii_domain = _ascii_domain(domain)
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


def read_address_file(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of each address in a file: one per line, `#` comments and blanks skipped."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    result = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if text:
            result.append((number, text))
    return result


def looks_like_path(entry: str) -> bool:
    """An entry of `email.to` without an @ names a file of addresses."""
    return "@" not in entry


def collect_recipients(
    to: Sequence[str],
    subscribers: Sequence[Mapping[str, Any]],
    *,
    config_file: str = "feeds.yaml",
    base: Path | None = None,
    known_sections: Iterable[str] | None = None,
) -> list[Recipient]:
    """Validate and merge `email.to` (addresses and address files) and `email.subscribers`.

    A mailbox listed twice gets the digest once: a `subscribers` entry (with its sections) wins
    over a plain `to` entry, otherwise the first mention wins.  Raises ConfigError naming the key
    (and the file and line for address files), never showing the address unmasked.
    """
    def fail(path: str, message: str) -> ConfigError:
        return ConfigError(config_file, path, message)

    found: dict[str, Recipient] = {}
    for index, entry in enumerate(to):
        where = f"email.to[{index}]" if len(to) > 1 else "email.to"
        if looks_like_path(entry):
            path = Path(entry).expanduser()
            if not path.is_absolute() and base is not None:
                path = base / path
            try:
                lines = read_address_file(path)
            except FileNotFoundError:
                raise fail(where, f"no such address file: {path} (a value without @ is read as a file "
                                  "with one address per line)") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise fail(where, f"cannot read the address file {path} ({exc.__class__.__name__})") from None
            if not lines:
                raise fail(where, f"the address file {path} lists no addresses")
            for number, text in lines:
                try:
                    name, address = parse_mailbox(text)
                except ValueError as exc:
                    raise ConfigError(str(path), f"line {number}", str(exc)) from None
                found.setdefault(_identity(address), Recipient(address, name))
            continue
        try:
            name, address = parse_mailbox(entry)
        except ValueError as exc:
            raise fail(where, str(exc)) from None
        found.setdefault(_identity(address), Recipient(address, name))

    known = {s.casefold(): s for s in known_sections} if known_sections is not None else None
    for index, sub in enumerate(subscribers):
        where = f"email.subscribers[{index}]"
        raw_address = str(sub.get("address", "") or "").strip()
        if not raw_address:
            raise fail(f"{where}.address", "empty: give the subscriber's e-mail address (or set its ${VAR})")
        try:
            name, address = parse_mailbox(raw_address)
        except ValueError as exc:
            raise fail(f"{where}.address", str(exc)) from None
        sections = tuple(str(s) for s in (sub.get("sections") or ()))
        if known is not None:
            for number, section in enumerate(sections):
                if section.casefold() not in known:
                    import difflib

                    close = difflib.get_close_matches(section, list(known.values()), n=1)
                    hint = f" (did you mean {close[0]!r}?)" if close else ""
                    listed = ", ".join(known.values()) or "none"
                    raise fail(f"{where}.sections[{number}]",
                               f"no section named {section!r}{hint}; sections are: {listed}")
        key = _identity(address)
        if key in found and found[key].sections:
            continue  # an earlier subscribers entry already chose sections
        found[key] = Recipient(address, name or (found[key].name if key in found else ""), sections)
    return list(found.values())


def _identity(address: str) -> str:
    return Recipient(address).identity


def _ascii_domain(domain: str) -> str:
    """A domain in the form SMTP and mail headers accept without SMTPUTF8 (IDNA / punycode)."""
    if domain.isascii():
        return domain
    return domain.encode("idna").decode("ascii")
