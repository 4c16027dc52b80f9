"""Who gets the digest: `email.to` and `email.subscribers` turned into validated, masked recipients.

Pure except for reading address files named in `email.to`.  Addresses are checked up front, so a
typo stops the run before anything is fetched or sent, and they leave this module only masked
(`a***@e***.com`, plus a keyed `#tag` once `keys.Keyring` has bound the recipient) in anything a
human or a log will read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..addresses import mask_address, parse_mailbox, to_ascii_domain
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Subscriber

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
        return f"{local}@{to_ascii_domain(domain)}"

    def wants(self, section: str) -> bool:
        return not self.sections or section.casefold() in {s.casefold() for s in self.sections}

    def __repr__(self) -> str:
        sections = ", ".join(self.sections) if self.sections else "all sections"
        return f"Recipient({self.masked}, {sections})"

    __str__ = __repr__


def scrub_addresses(text: str) -> str:
    """Mask every e-mail address in a server's reply or an error text before it is shown or logged."""
    return _EMAILISH.sub(lambda m: mask_address(m.group(0)), text)


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
    subscribers: Sequence[Subscriber],
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
        if not sub.address:  # an unset ${VAR}; config checked every address that was given
            raise fail(f"{where}.address", "empty: give the subscriber's e-mail address (or set its ${VAR})")
        name, address, sections = sub.name, sub.address, sub.sections
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
