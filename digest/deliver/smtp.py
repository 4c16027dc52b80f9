"""Talking to the SMTP server: settings from DIGEST_SMTP_*, one verified-TLS connection, bounded retries.

This is the one place smtplib, ssl and socket errors enter; they leave as `SendError` with a
one-line reason (addresses masked) and whether trying again could help.

Every command waits at most `timeout` seconds and the whole sending pass at most `deadline`
seconds, so a server that stops answering cannot hold a run.  Once the end of a message
(the final ".") has been written, a lost connection or a missing answer leaves the outcome
unknown: the server may have stored the message.  That failure is `uncertain` and is never
retried here, so nobody gets the same digest several times because a server hung up late.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType

from ..addresses import mask_address
from ..errors import ConfigError
from .subscribers import scrub_addresses

log = logging.getLogger(__name__)

SECURITY = ("ssl", "starttls", "none")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
ENV = "environment"  # the "file" named by ConfigErrors about DIGEST_SMTP_* variables
DEFAULT_TIMEOUT = 30.0  # seconds for connecting and for each command (DIGEST_SMTP_TIMEOUT)
DEFAULT_DEADLINE = 300.0  # seconds for the whole sending pass (DIGEST_SMTP_DEADLINE)
QUIT_TIMEOUT = 5.0  # a polite QUIT is not worth waiting for
_DOT_STUFF = re.compile(rb"(?m)^\.")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send; certificate verification cannot be turned off, only pointed at a CA."""

    host: str
    port: int = 587
    security: str = "starttls"  # ssl (implicit TLS, 465) | starttls (587) | none (loopback only)
    user: str = ""
    password: str = field(default="", repr=False)
    cafile: str | None = None  # extra trust anchor (a private CA), DIGEST_SMTP_CAFILE
    timeout: float = DEFAULT_TIMEOUT  # seconds for the connection and each SMTP command
    deadline: float = DEFAULT_DEADLINE  # seconds for the whole sending pass (all recipients)
    context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)  # tests: a verifying context

    def __post_init__(self) -> None:
        if self.security not in SECURITY:
            raise ConfigError(ENV, "DIGEST_SMTP_SECURITY",
                              f"expected ssl, starttls or none, got {self.security!r} "
                              "(ssl for port 465, starttls for port 587)")
        if not 0 < self.port < 65536:
            raise ConfigError(ENV, "DIGEST_SMTP_PORT", f"expected a port from 1 to 65535, got {self.port}")
        if self.security == "none":
            if not is_loopback(self.host):
                raise ConfigError(ENV, "DIGEST_SMTP_SECURITY",
                                  f"none sends mail unencrypted, so it is only allowed for a server on this "
                                  f"machine (127.0.0.1, ::1, localhost), not {self.host}; use starttls or ssl")
            if self.user or self.password:
                raise ConfigError(ENV, "DIGEST_SMTP_SECURITY",
                                  "none would send DIGEST_SMTP_PASSWORD unencrypted; use starttls or ssl to log in")
        if bool(self.user) != bool(self.password):
            missing, given = ("DIGEST_SMTP_PASSWORD", "DIGEST_SMTP_USER") if self.user else \
                ("DIGEST_SMTP_USER", "DIGEST_SMTP_PASSWORD")
            raise ConfigError(ENV, missing, f"not set, but {given} is: set both to log in, or neither")
        if not self.timeout > 0:
            raise ConfigError(ENV, "DIGEST_SMTP_TIMEOUT", f"expected a positive number of seconds, got {self.timeout:g}")
        if not self.deadline > 0:
            raise ConfigError(ENV, "DIGEST_SMTP_DEADLINE", f"expected a positive number of seconds, got {self.deadline:g}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read DIGEST_SMTP_HOST, _PORT, _USER, _PASSWORD, _SECURITY, _CAFILE, _TIMEOUT and _DEADLINE.

        A ConfigError names the variable that is wrong and what it expects.
        """
        env = os.environ if env is None else env

        def get(name: str) -> str:
            return env.get(name, "").strip()

        host = get("DIGEST_SMTP_HOST")
        if not host:
            raise ConfigError(ENV, "DIGEST_SMTP_HOST",
                              "not set: export the SMTP server's host name (e.g. smtp.gmail.com); "
                              "in GitHub Actions, add it as a repository secret")
        port: int | None = None
        if get("DIGEST_SMTP_PORT"):
            try:
                port = int(get("DIGEST_SMTP_PORT"))
            except ValueError:
                raise ConfigError(ENV, "DIGEST_SMTP_PORT",
                                  f"expected a port number like 465 or 587, got {get('DIGEST_SMTP_PORT')!r}") from None
        security = get("DIGEST_SMTP_SECURITY").lower() or ("ssl" if port == 465 else "starttls")
        cafile = get("DIGEST_SMTP_CAFILE") or None
        if cafile is not None:
            if not Path(cafile).expanduser().is_file():
                raise ConfigError(ENV, "DIGEST_SMTP_CAFILE", f"no such file: {cafile} (a PEM file of CA certificates)")
            try:
                ssl.create_default_context(cafile=str(Path(cafile).expanduser()))
            except ssl.SSLError as exc:
                raise ConfigError(ENV, "DIGEST_SMTP_CAFILE",
                                  f"{cafile} holds no usable CA certificate ({exc.reason or exc}); expected PEM") from None
        return cls(
            host=host,
            port=port if port is not None else DEFAULT_PORTS.get(security, 587),
            security=security,
            user=get("DIGEST_SMTP_USER"),
            password=env.get("DIGEST_SMTP_PASSWORD", "").strip("\r\n"),  # pasted secrets often end in a newline
            cafile=str(Path(cafile).expanduser()) if cafile else None,
            timeout=_seconds(get("DIGEST_SMTP_TIMEOUT"), "DIGEST_SMTP_TIMEOUT", DEFAULT_TIMEOUT),
            deadline=_seconds(get("DIGEST_SMTP_DEADLINE"), "DIGEST_SMTP_DEADLINE", DEFAULT_DEADLINE),
        )

    def tls_context(self) -> ssl.SSLContext:
        """A context that verifies the server's certificate and host name, always."""
        context = self.context if self.context is not None else ssl.create_default_context(cafile=self.cafile)
        if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
            raise ValueError("SmtpSettings.context must verify certificates and host names")
        return context

    def describe(self) -> str:
        """`smtp.example.com:587 (starttls, login a***@e***.com)`: safe to print."""
        login = f", login {mask_address(self.user)}" if self.user else ""
        return f"{self.host}:{self.port} ({self.security}{login})"


def _seconds(value: str, name: str, default: float) -> float:
    """`45`, `45s`, `2m` -> seconds; empty -> `default`."""
    if not value:
        return default
    from ..timewindow import parse_duration

    try:
        seconds = float(value) if value.replace(".", "", 1).isdigit() else parse_duration(value).total_seconds()
    except ValueError:
        raise ConfigError(ENV, name, f"expected seconds (30) or a duration (90s, 5m), got {value!r}") from None
    if seconds <= 0:
        raise ConfigError(ENV, name, f"expected more than 0 seconds, got {value!r}")
    return seconds


def is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class SendError(Exception):
    """One message could not be sent; `fatal` means no other recipient will fare better."""

    def __init__(self, reason: str, *, permanent: bool, fatal: bool = False, connection: bool = False,
                 uncertain: bool = False, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent  # a 5xx answer: the same message will be refused again
        self.fatal = fatal  # cannot connect, TLS does not verify, login refused, sender refused, deadline
        self.connection = connection  # the connection is gone or unusable
        self.uncertain = uncertain  # the whole message was sent, the answer never came: it may have arrived
        self.timed_out = timed_out  # the server did not answer in time (a stalled server stays stalled)


class Mailer:
    """One SMTP connection reused for every recipient; reconnects and retries transient failures."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        helo: str | None = None,
        attempts: int = 3,
        backoff: float = 2.0,
        max_delay: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.helo = helo or "localhost"  # never the runner's host name (smtplib would ask the OS)
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_delay = max_delay
        self.sleep = sleep
        self.connections = 0  # opened so far, for the report and the tests
        self._conn: smtplib.SMTP | None = None
        self._ends_at = time.monotonic() + settings.deadline

    @property
    def where(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def remaining(self) -> float:
        """Seconds left of the sending pass's deadline."""
        return self._ends_at - time.monotonic()

    def send(self, msg: EmailMessage, *, sender: str, recipient: str) -> None:
        """Hand one message for one recipient to the server; raises SendError once retries are spent.

        A failure after the whole message was written (`uncertain`) and a timeout are not retried:
        the first may already be in the inbox, the second would only wait again.
        """
        for attempt in range(1, self.attempts + 1):
            if self.remaining() <= 0:
                raise self._past_deadline()
            connecting = self._conn is None
            ended = [False]  # true from writing the final "." until its answer: the outcome is unknown
            try:
                conn = self._connection()
                connecting = False
                self._transaction(conn, msg, sender, recipient, ended)
                return
            except SendError as exc:
                failure = exc
            except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError and socket errors are OSErrors
                failure = self._failure(exc, connecting=connecting, after_data=ended[0])
            if failure.connection or connecting:
                self._drop()
            if connecting and (attempt == self.attempts or failure.timed_out):
                failure.fatal = True  # the server cannot be reached: nobody else will get through either
            if failure.permanent or failure.fatal or failure.uncertain or failure.timed_out or attempt == self.attempts:
                raise failure
            delay = min(self.max_delay, self.backoff * 2 ** (attempt - 1))
            if delay >= self.remaining():  # the retry would start past the deadline
                failure.reason += f"; no time left to retry within DIGEST_SMTP_DEADLINE ({self.settings.deadline:g} s)"
                raise failure
            log.info("%s; trying again in %.0f s (attempt %d of %d)", failure.reason, delay, attempt + 1, self.attempts)
            self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._conn is None:
            return
        if self.remaining() > 0 and self._conn.sock is not None:  # past the deadline: just hang up
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._conn.sock.settimeout(min(QUIT_TIMEOUT, self.settings.timeout, self.remaining()))
                self._conn.quit()
        self._drop()

    # ------------------------------------------------------------------ internals

    def _wait(self, cap: float | None = None) -> float:
        """How long the next command may take: the command timeout, cut to what the deadline leaves."""
        limit = min(self.settings.timeout, cap if cap is not None else self.settings.timeout)
        left = self.remaining()
        if left <= 0:
            raise self._past_deadline()
        return max(0.001, min(limit, left))

    def _arm(self, conn: smtplib.SMTP, cap: float | None = None) -> None:
        if conn.sock is not None:
            conn.sock.settimeout(self._wait(cap))

    def _transaction(self, conn: smtplib.SMTP, msg: EmailMessage, sender: str, recipient: str,
                     ended: list[bool]) -> None:
        """MAIL, RCPT, DATA for one recipient, as smtplib's sendmail does, but with `ended[0]` true while
        the final "." is on the wire and unanswered: smtplib cannot tell "no answer to DATA" from "no
        answer to the message", and only the first is safe to retry."""
        payload = msg.as_bytes()  # the message's policy writes CRLF line ends, as SMTP needs
        self._arm(conn)
        conn.ehlo_or_helo_if_needed()
        options = [f"SIZE={len(payload)}"] if conn.does_esmtp and conn.has_extn("size") else []
        self._arm(conn)
        code, reply = conn.mail(sender, options)
        if code != 250:
            self._reset(conn, code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        self._arm(conn)
        code, reply = conn.rcpt(recipient)
        if code not in (250, 251):
            self._reset(conn, code)
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
        self._arm(conn)
        code, reply = conn.docmd("DATA")
        if code != 354:
            self._reset(conn, code)
            raise smtplib.SMTPDataError(code, reply)
        body = _DOT_STUFF.sub(b"..", payload)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        self._arm(conn)
        conn.send(body + b".\r\n")
        ended[0] = True
        code, reply = conn.getreply()
        ended[0] = False  # an answer came: whatever it says is certain
        if code != 250:  # an answer, even a refusal, is certain: the message was not taken
            self._reset(conn, code)
            raise smtplib.SMTPDataError(code, reply)

    def _reset(self, conn: smtplib.SMTP, code: int) -> None:
        """After a refusal: a 421 means the server is closing; otherwise RSET keeps the connection usable."""
        if code == 421:
            conn.close()
            return
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self._arm(conn)
            conn.rset()

    def deadline_passed(self) -> SendError:
        """The failure every recipient not yet tried gets once the sending deadline is over."""
        return self._past_deadline()

    def _past_deadline(self) -> SendError:
        return SendError(f"not sent: the sending deadline of {self.settings.deadline:g} s passed "
                         "(DIGEST_SMTP_DEADLINE)", permanent=False, fatal=True, connection=True, timed_out=True)

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        s = self.settings
        conn: smtplib.SMTP
        wait = self._wait()
        if s.security == "ssl":
            conn = smtplib.SMTP_SSL(s.host, s.port, local_hostname=self.helo, timeout=wait, context=s.tls_context())
        else:
            conn = smtplib.SMTP(s.host, s.port, local_hostname=self.helo, timeout=wait)
        try:
            self._arm(conn)
            conn.ehlo()
            if s.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise SendError(f"{self.where} does not offer STARTTLS; use DIGEST_SMTP_SECURITY=ssl "
                                    "(port 465) if it speaks TLS from the start", permanent=True, fatal=True)
                self._arm(conn)
                conn.starttls(context=s.tls_context())
                self._arm(conn)
                conn.ehlo()
            if s.user:
                self._arm(conn)
                conn.login(s.user, s.password)
        except BaseException:
            conn.close()
            raise
        self.connections += 1
        self._conn = conn
        return conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        self._conn = None

    def _failure(self, exc: BaseException, *, connecting: bool, after_data: bool = False) -> SendError:
        """Map an smtplib/ssl/socket error to a reason a person can act on, and how to treat it."""
        where = self.where
        # smtplib turns a timeout while reading an answer into "Connection unexpectedly closed"
        timed_out = isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)
        if timed_out and self.remaining() <= 0:
            failure = self._past_deadline()
            failure.uncertain = after_data
            if after_data:
                failure.reason = (f"{where} did not confirm the message before the sending deadline of "
                                  f"{self.settings.deadline:g} s (timed out); it may have been delivered")
            return failure
        if after_data:
            what = (f"did not confirm the message within {self.settings.timeout:g} s (timed out)" if timed_out
                    else "closed the connection after the whole message was sent, before confirming it")
            return SendError(f"{where} {what}; it may have been delivered", permanent=False, connection=True,
                             uncertain=True, timed_out=timed_out)
        if timed_out:
            verb = "cannot connect to" if connecting and isinstance(exc, TimeoutError) else ""
            what = f"{verb} {where}: timed out" if verb else f"{where} timed out"
            return SendError(f"{what} (no answer within {self.settings.timeout:g} s; DIGEST_SMTP_TIMEOUT)",
                             permanent=False, connection=True, timed_out=True)
        if isinstance(exc, ssl.SSLCertVerificationError):
            detail = exc.verify_message or exc.reason or str(exc)
            return SendError(f"the TLS certificate of {where} did not verify ({detail}); for a private CA "
                             "set DIGEST_SMTP_CAFILE", permanent=True, fatal=True, connection=True)
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return SendError(f"{where} refused the login ({_reply(exc.smtp_code, exc.smtp_error)}): check "
                             "DIGEST_SMTP_USER and DIGEST_SMTP_PASSWORD", permanent=True, fatal=True)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return SendError(f"{where}: {scrub_addresses(str(exc))}", permanent=True, fatal=connecting)
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            code, text = next(iter(exc.recipients.values()), (0, b""))
            return SendError(f"recipient refused: {_reply(code, text)}", permanent=code >= 500, connection=code == 421)
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return SendError(f"sender {mask_address(str(exc.sender))} refused: {_reply(exc.smtp_code, exc.smtp_error)} "
                             "(check email.from)", permanent=exc.smtp_code >= 500, fatal=exc.smtp_code >= 500,
                             connection=exc.smtp_code == 421)
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return SendError(f"{where} closed the connection", permanent=False, connection=True)
        if isinstance(exc, smtplib.SMTPResponseException):  # data, connect and helo errors carry a code
            code = exc.smtp_code
            return SendError(f"{where} answered {_reply(code, exc.smtp_error)}", permanent=code >= 500,
                             fatal=connecting and code >= 500, connection=connecting or code == 421)
        if isinstance(exc, ssl.SSLError):
            return SendError(f"TLS with {where} failed ({exc.reason or exc})", permanent=False, connection=True)
        if isinstance(exc, socket.gaierror):
            return SendError(f"cannot find the SMTP host {self.settings.host} ({exc.strerror}); check "
                             "DIGEST_SMTP_HOST", permanent=False, connection=True)
        if isinstance(exc, OSError):
            detail = exc.strerror or exc.__class__.__name__
            verb = "cannot connect to" if connecting else "lost the connection to"
            return SendError(f"{verb} {where} ({detail})", permanent=False, connection=True)
        return SendError(f"{where}: {scrub_addresses(str(exc))}", permanent=False, connection=True)


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return scrub_addresses(f"{code} {' '.join(message.split())}".strip())
