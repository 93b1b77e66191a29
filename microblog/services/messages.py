"""Sending a private message (chapter 21): the one rule for it, whatever sends it (the
conversation page, the REST API). Reading them is services/conversations.py."""

from __future__ import annotations

from sqlmodel import Session

from microblog.i18n import _l
from microblog.models import MESSAGE_MAX, Message, row_id
from microblog.services import conversations, notifications, safety, spam_brakes
from microblog.services.errors import Invalid
from microblog.services.text import require_storable


def validate_message_body(body: str) -> str:
    body = (body or "").strip()
    require_storable(message=body)
    if not body:
        raise Invalid({"message": _l("Write a message first.")})
    if len(body) > MESSAGE_MAX:
        raise Invalid(
            {
                "message": _l(
                    "Messages can have at most %(max)d characters (%(count)d now).",
                    max=MESSAGE_MAX,
                    count=len(body),
                )
            }
        )
    return body


def send_message(
    session: Session, *, sender_id: int, recipient_username: str, body: str
) -> Message:
    """Store the message, bring both people's conversation rows up to it (the recipient's
    counts it unread) and notify the recipient (Forbidden when the recipient does not take
    messages from the sender: a block, their "who can message you" setting); after the
    commit, their badge and both sides' open conversation pages and lists update."""
    recipient = conversations.correspondent(session, user_id=sender_id, username=recipient_username)
    safety.check_may_message(session, sender_id=sender_id, recipient=recipient)
    body = validate_message_body(body)
    spam_brakes.check_spam_brake(session, user_id=sender_id, action="message")
    message = Message(sender_id=sender_id, recipient_id=row_id(recipient), body=body)
    session.add(message)
    session.flush()
    conversations.record_message(session, message=message)
    notifications.notify(
        session, user_id=row_id(recipient), kind=notifications.MESSAGE, actor_id=sender_id
    )
    return message
