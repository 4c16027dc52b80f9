"""The run's secret: the key of every recipient hash, unsubscribe id and report tag digest makes.

`DIGEST_SECRET` (from the environment, e.g. a GitHub secret) wins; without it digest generates
32 random bytes once and keeps them in the state file.  With the secret outside the state file,
a copy of that file (a CI cache) cannot be matched against a list of addresses.  A secret that
was used before (the stored one, when DIGEST_SECRET is set later) is still returned as `older`,
so the delivery ledger recognises the keys it made and nobody is sent a digest twice.
"""

from __future__ import annotations

import os
import secrets as random_source
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ConfigError, StateError

ENV = "DIGEST_SECRET"
MIN_LENGTH = 16  # characters of DIGEST_SECRET; `openssl rand -hex 32` gives 64

SCHEMA = """
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,  -- 'recipients': the HMAC key used when DIGEST_SECRET is not set
    value BLOB NOT NULL
)
"""


@dataclass(frozen=True)
class Secret:
    """The key to use now, and earlier keys whose hashes may still be stored."""

    current: bytes = field(repr=False)
    older: tuple[bytes, ...] = field(default=(), repr=False)
    source: str = "state"  # "environment" | "state" | "ephemeral"


def from_env(env: Mapping[str, str] | None = None) -> bytes | None:
    """DIGEST_SECRET as bytes, None when unset; ConfigError when it is too short to be a secret."""
    value = (os.environ if env is None else env).get(ENV, "").strip()
    if not value:
        return None
    if len(value) < MIN_LENGTH:
        raise ConfigError("environment", ENV, f"only {len(value)} characters; use at least {MIN_LENGTH} random ones "
                                              "(e.g. the output of `openssl rand -hex 32`)")
    return value.encode("utf-8")


def load(conn: sqlite3.Connection | None, *, create: bool = True, env: Mapping[str, str] | None = None) -> Secret:
    """The secret for this run: DIGEST_SECRET, else the state file's (made now if `create` and none yet).

    Without a state file to keep it (`conn` None, or read-only without one) a random secret for
    this process only is returned: fine for a test copy or a dry run, which record nothing.
    """
    given = from_env(env)
    stored = _stored(conn) if conn is not None else None
    if given is not None:
        return Secret(given, (stored,) if stored is not None and stored != given else (), "environment")
    if stored is not None:
        return Secret(stored, (), "state")
    if conn is not None and create:
        return Secret(_create(conn), (), "state")
    return Secret(random_source.token_bytes(32), (), "ephemeral")


def _stored(conn: sqlite3.Connection) -> bytes | None:
    try:
        row = conn.execute("SELECT value FROM secrets WHERE name = 'recipients'").fetchone()
    except sqlite3.OperationalError:  # a read-only state file from before this table existed
        return None
    except sqlite3.Error as exc:
        raise StateError(f"cannot read the state file's secret ({exc})") from None
    return bytes(row[0]) if row else None


def _create(conn: sqlite3.Connection) -> bytes:
    """Generate and store the secret (committed at once: every key made with it must stay readable)."""
    value = random_source.token_bytes(32)
    try:
        with conn:
            conn.execute("INSERT OR IGNORE INTO secrets (name, value) VALUES ('recipients', ?)", (value,))
    except sqlite3.Error as exc:
        raise StateError(f"cannot store a secret in the state file ({exc})") from None
    stored = _stored(conn)
    return stored if stored is not None else value
