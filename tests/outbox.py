"""Reading the email outbox in tests: what a transaction has queued, as the messages that will
be sent."""

from __future__ import annotations

from email.message import EmailMessage

from sqlmodel import Session, col, select

from microblog.models import MailOutbox
from microblog.services.mail_outbox import message_of


def queued(session: Session) -> list[EmailMessage]:
    """Every email in the outbox as this session sees it (its own unflushed rows included),
    oldest first."""
    session.flush()
    rows = session.exec(select(MailOutbox).order_by(col(MailOutbox.id))).all()
    return [message_of(row.message) for row in rows]
