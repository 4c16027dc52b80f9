"""Per-recipient keys made with the run's secret: the ledger key, the unsubscribe `{id}`, the report tag.

All three are HMAC-SHA256 of the normalized address (trimmed, case-folded) under the secret of
`state/secret.py`, each with its own label so none of them can stand in for another: knowing
an address is not enough to forge its unsubscribe link, and a stored key cannot be matched
against a list of addresses without the secret.

    unsubscribe id = hex(HMAC-SHA256(secret, "unsubscribe\\0" + address.strip().casefold()))
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from dataclasses import dataclass
from typing import Protocol

from .subscribers import Recipient

TAG_LENGTH = 6  # hex digits after the mask: tells a report's recipients apart, reveals nothing


def normalized(address: str) -> bytes:
    """The one normal form every key of an address is made from: trimmed and case-folded."""
    return address.strip().casefold().encode("utf-8")


def recipient_key(address: str, secret: bytes) -> str:
    """The ledger's name for a mailbox: case-insensitive, keyed, and not the address itself."""
    return "hmac:" + hmac.new(secret, b"ledger\0" + normalized(address), hashlib.sha256).hexdigest()


def legacy_key(address: str) -> str:
    """The unkeyed key rows were stored under before keyed keys; recognised only to re-key them."""
    return "sha256:" + hashlib.sha256(normalized(address)).hexdigest()


def unsubscribe_id(address: str, secret: bytes) -> str:
    """The `{id}` of `email.unsubscribe_url`; an unsubscribe handler holding DIGEST_SECRET recomputes it."""
    return hmac.new(secret, b"unsubscribe\0" + normalized(address), hashlib.sha256).hexdigest()


def tag(address: str, secret: bytes) -> str:
    """A short keyed tag shown after the masked address: `a***@e***.com#3f2a9c`."""
    return hmac.new(secret, b"tag\0" + normalized(address), hashlib.sha256).hexdigest()[:TAG_LENGTH]


class Secret(Protocol):
    """The run's secret as `state/secret.py` loads it: the key to use now, and earlier ones."""

    @property
    def current(self) -> bytes: ...

    @property
    def older(self) -> tuple[bytes, ...]: ...


@dataclass(frozen=True)
class Keyring:
    """Binds recipients to their keys under one run's secret."""

    secret: Secret

    def bind(self, recipient: Recipient) -> Recipient:
        """The recipient with its ledger key, unsubscribe id and tag filled in."""
        key = self.secret.current
        return dataclasses.replace(
            recipient, key=recipient_key(recipient.address, key),
            unsubscribe_id=unsubscribe_id(recipient.address, key), tag=tag(recipient.address, key),
        )

    def older_keys(self, recipient: Recipient) -> list[str]:
        """Keys the ledger may hold this recipient under from before: earlier secrets, then unkeyed."""
        return [recipient_key(recipient.address, old) for old in self.secret.older] + \
            [legacy_key(recipient.address)]
