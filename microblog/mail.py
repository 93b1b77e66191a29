"""Outgoing email: one small interface, two engines chosen from config.

- SMTP (`MAIL_SERVER` set): stdlib `smtplib`, with STARTTLS (`MAIL_USE_TLS`) or implicit TLS
  (`MAIL_USE_SSL`) and login when `MAIL_USERNAME` is set. A timeout keeps a dead server from
  hanging a worker thread.
- Log (default): the whole message is written to the log, so development needs no server.

Sending is blocking I/O: callers on the event loop use `send_in_thread`; services that send
because something was committed (a new follower) use `send_after_commit`, which hands the message
to a small thread pool once the transaction commits. Failures raise `MailError` (callers that tell
a user about it) or are logged (background sends); they never take a page down.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from sqlalchemy.orm import Session

from microblog.after_commit import defer
from microblog.config import Settings, get_settings

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "application/json"
    data: bytes


def build_message(
    *,
    subject: str,
    recipients: list[str],
    text_body: str,
    html_body: str | None = None,
    sender: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """A multipart message: plain text first (what every client can show), HTML as the
    alternative, then any attachments."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender or get_settings().mail_default_sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="microblog.local")
    message.set_content(text_body)
    if html_body:
        message.add_alternative(html_body, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def check(self) -> None:
        """Raise MailError if mail cannot be sent right now (cheap; no message)."""
        ...


class LogMailer:
    """Development default: print the message to the log instead of sending it."""

    def send(self, message: EmailMessage) -> None:
        log.info("Email (MAIL_SERVER not set, so not sent):\n%s", message.as_string())

    def check(self) -> None:
        return None


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        try:
            if s.mail_use_ssl:
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.mail_server,
                    s.mail_port,
                    timeout=s.mail_timeout,
                    context=ssl.create_default_context(),
                )
            else:
                client = smtplib.SMTP(s.mail_server, s.mail_port, timeout=s.mail_timeout)
                if s.mail_use_tls:
                    client.starttls(context=ssl.create_default_context())
            if s.mail_username:
                client.login(s.mail_username, s.mail_password)
        except (OSError, smtplib.SMTPException) as problem:
            raise MailError(f"Cannot reach the mail server: {problem}") from problem
        return client

    def send(self, message: EmailMessage) -> None:
        client = self._connect()
        try:
            client.send_message(message)
        except (OSError, smtplib.SMTPException) as problem:
            raise MailError(f"The mail server refused the message: {problem}") from problem
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()

    def check(self) -> None:
        client = self._connect()
        try:
            client.noop()
        except (OSError, smtplib.SMTPException) as problem:
            raise MailError(f"The mail server does not answer: {problem}") from problem
        finally:
            client.close()


def get_mailer() -> Mailer:
    settings = get_settings()
    return SmtpMailer(settings) if settings.mail_server else LogMailer()


async def send_in_thread(message: EmailMessage) -> None:
    """Send without blocking the event loop; raises MailError."""
    await asyncio.to_thread(get_mailer().send, message)


# -- after-commit sending --------------------------------------------------------------------

# One sender thread: emails leave in commit order, and a slow server delays mail, not pages.
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")


def wait_until_sent(timeout: float = 30.0) -> None:
    """Block until every background send queued so far has finished (tests, shutdown)."""
    _pool.submit(lambda: None).result(timeout=timeout)


def _send_logged(message: EmailMessage) -> None:
    try:
        get_mailer().send(message)
    except MailError:
        log.exception("Could not send %r to %s", message["Subject"], message["To"])


def send_after_commit(session: Session, message: EmailMessage) -> None:
    """Send `message` from a background thread once this transaction commits (never if it rolls
    back). A failure is logged: what the email reports is already in the database."""
    defer(session, lambda: _pool.submit(_send_logged, message))
