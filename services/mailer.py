"""Sending one e-mail through an SMTP server, with the standard library only.

The server's parameters come in as plain values (the command line reads them from the settings), so this module
knows nothing of where they are configured. STARTTLS is on by default: the password never crosses the network in
clear unless SMTP_STARTTLS=off says so (a relay on this machine, a test server).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: host, port, STARTTLS or not, and the login (empty user: none)."""

    host: str
    port: int
    starttls: bool = True
    user: str = ""
    password: str = field(default="", repr=False)  # out of logs and tracebacks


def compose(sender: str, recipients: Sequence[str], subject: str, text: str, html: str) -> EmailMessage:
    """One multipart/alternative message: the plain text first, the HTML preferred by clients that show it."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(server: SmtpServer, message: EmailMessage) -> None:
    """Deliver `message` to its recipients; raises `smtplib.SMTPException` or `OSError` when the server refuses
    it or cannot be reached."""
    with smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS) as smtp:
        if server.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if server.user:
            smtp.login(server.user, server.password)
        smtp.send_message(message)
