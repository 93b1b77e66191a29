"""Outgoing email: one small interface, two engines chosen from config.

- SMTP (`MAIL_SERVER` set): stdlib `smtplib`, with STARTTLS (`MAIL_USE_TLS`) or implicit TLS
  (`MAIL_USE_SSL`) and login when `MAIL_USERNAME` is set. A timeout keeps a dead server from
  hanging a worker thread.
- Log (default): the message is written to the log as a person reads it (headers, the text
  decoded with its links whole, attachments by name, type and size), so development needs no
  server.

The product's emails never call a mailer themselves: services queue them in the database with
`services.mail_outbox.queue_email`, in the transaction of what they report, and the outbox's drain
hands them to the mailer, retrying while it fails. Only the error reports to ADMINS
(microblog/logs.py) send directly, since they must get out when the database is what failed.

A failure raises `MailError`; `MailServerDown` (nothing was handed over: no connection, no login)
and `MailRefused` (the server said no to this message for good, a 5xx) tell the outbox whether
to stop for now or to give the message up.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from microblog.config import Settings, get_settings

log = logging.getLogger(__name__)


class MailError(RuntimeError):
    """The message could not be handed to the mail server (it may work later)."""


class MailServerDown(MailError):
    """The mail server could not be reached or logged in to: no message can go now."""


class MailRefused(MailError):
    """The mail server refused this message for good (a 5xx answer): retrying cannot help."""


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


class LogMailer:
    """Development default: write the message to the log instead of sending it, as a person
    reads it (`readable`), not as it travels."""

    def send(self, message: EmailMessage) -> None:
        log.info("Email (MAIL_SERVER not set, so not sent):\n%s", readable(message))


# The MIME plumbing a reader of the log has no use for; every other header is shown.
_PLUMBING = {"content-type", "content-transfer-encoding", "mime-version", "content-disposition"}


def readable(message: EmailMessage) -> str:
    """The message for the development log: its headers decoded, its text part decoded as
    plain text (so a link, which the wire format splits over quoted-printable lines or hides in
    base64, is whole on one line and can be clicked or pasted), and each attachment as its name,
    type and size only (an export's archive would fill the log with base64)."""
    lines = [f"{name}: {value}" for name, value in message.items() if name.lower() not in _PLUMBING]
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else "(no text part)"
    lines += ["", text.rstrip("\n"), ""]
    if message.get_body(preferencelist=("html",)) is not None:
        lines.append("(Also sent as HTML, with the same text and links.)")
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        size = len(data) if isinstance(data, bytes) else 0
        name = part.get_filename() or "(no name)"
        lines.append(f"Attachment: {name} ({part.get_content_type()}, {size:,} bytes)")
    return "\n".join(lines).rstrip("\n")


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
            raise MailServerDown(f"Cannot reach the mail server: {problem}") from problem
        return client

    def send(self, message: EmailMessage) -> None:
        client = self._connect()
        try:
            client.send_message(message)
        except (OSError, smtplib.SMTPException) as problem:
            error = MailRefused if _permanent(problem) else MailError
            raise error(f"The mail server refused the message: {problem}") from problem
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def _permanent(problem: Exception) -> bool:
    """A 5xx answer to the sender, the data, or every recipient: the same message will be
    refused again. Anything else (4xx, a dropped connection) may pass later."""
    if isinstance(problem, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in problem.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    code = getattr(problem, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def get_mailer() -> Mailer:
    settings = get_settings()
    return SmtpMailer(settings) if settings.mail_server else LogMailer()
