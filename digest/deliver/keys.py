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

from ..state import ledger
from ..state.secret import Secret
from .subscribers import Recipient

TAG_LENGTH = 6  # hex digits after the mask: tells a report's recipients apart, reveals nothing


def unsubscribe_id(address: str, secret: bytes) -> str:
    """The `{id}` of `email.unsubscribe_url`; an unsubscribe handler holding DIGEST_SECRET recomputes it."""
    return hmac.new(secret, b"unsubscribe\0" + ledger.normalized(address), hashlib.sha256).hexdigest()


def tag(address: str, secret: bytes) -> str:
    """A short keyed tag shown after the masked address: `a***@e***.com#3f2a9c`."""
    return hmac.new(secret, b"tag\0" + ledger.normalized(address), hashlib.sha256).hexdigest()[:TAG_LENGTH]


@dataclass(frozen=True)
class Keyring:
    """Binds recipients to their keys under one run's secret."""

    secret: Secret

    def bind(self, recipient: Recipient) -> Recipient:
        """The recipient with its ledger key, unsubscribe id and tag filled in."""
        key = self.secret.current
        return dataclasses.replace(
            recipient, key=ledger.recipient_key(recipient.address, key),
            unsubscribe_id=unsubscribe_id(recipient.address, key), tag=tag(recipient.address, key),
        )

    def older_keys(self, recipient: Recipient) -> list[str]:
        """Keys the ledger may hold this recipient under from before: earlier secrets, then unkeyed."""
        return [ledger.recipient_key(recipient.address, old) for old in self.secret.older] + \
            [ledger.legacy_key(recipient.address)]
