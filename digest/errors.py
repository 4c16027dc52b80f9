"""The exception tree of digest; every error a user can cause ends up as one of these.

    DigestError                 one line for the user, an exit code for the CLI
     ├── ConfigError            feeds.yaml is wrong: names file, key path and the fix (exit 2)
     ├── UsageError             a command-line option is wrong: names the option (exit 2)
     ├── StateError             the SQLite state cannot be opened or is locked (exit 3)
     ├── SourceError            one source failed; carried as a reason, never stops the run
     │    ├── FetchError        network, HTTP status, size caps, timeouts
     │    └── ParseError        bytes that are not a feed / listing we can read
     └── DeliveryError          SMTP could not deliver to anyone (exit 4)

Third-party exceptions (httpx, sqlite3, smtplib, yaml) are translated where they enter:
fetching, the state store, the mailer and the config loader.  Nothing above those modules
ever sees a library exception.
"""

from __future__ import annotations


class DigestError(Exception):
    """Base of every error digest reports to a user as one line."""

    exit_code = 1


class ConfigError(DigestError):
    """A mistake in feeds.yaml (or the command line) that the user must fix."""

    exit_code = 2

    def __init__(self, file: str, path: str, message: str) -> None:
        self.file = file
        self.path = path
        self.message = message
        where = f"{file}: {path}: " if path else f"{file}: "
        # one line, always: a key or value from the file may itself hold a line break
        super().__init__((where + message).replace("\r", "\\r").replace("\n", "\\n"))


class UsageError(DigestError):
    """A command-line option has a value we cannot use (`--since fortnight`)."""

    exit_code = 2


class StateError(DigestError):
    """The state database cannot be used (locked by another run, corrupt, unwritable)."""

    exit_code = 3


class SourceError(DigestError):
    """One source could not be read; the run records the reason and goes on."""


class FetchError(SourceError):
    """The bytes of a source could not be fetched (network, HTTP status, caps)."""


class ParseError(SourceError):
    """The fetched bytes are not something we can read as the source's type."""


class DeliveryError(DigestError):
    """Mail could not be delivered (to anyone, or the server refused us)."""

    exit_code = 4
