"""A real SMTP server for the digest's tests: aiosmtpd on a free loopback port, keeping what it receives."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Received:
    """The envelopes the server accepted (sender, recipients and the parsed message), and the logins it was sent."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    accepted: tuple[str, str] | None = None

    def __call__(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                 auth_data: LoginPassword) -> AuthResult:
        """aiosmtpd's authenticator: keep the login, accept only `accepted`."""
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == self.accepted, handled=False)  # a refusal answers 535

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        content = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(content, policy=default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(login: tuple[str, str] | None = None) -> Iterator[tuple[int, Received]]:
    """A started server: its port and what it receives; stopped on exit. With `login`, it offers AUTH (without
    TLS, this is a test) and accepts that user and password only."""
    received = Received(accepted=login)
    options = {"authenticator": received, "auth_require_tls": False} if login else {}
    controller = Controller(received, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port, received
    finally:
        controller.stop()
