"""Private messages between users (chapter 21), with an unread count per recipient."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from microblog.live.events import INBOX, LiveEvent, publish_after_commit
from microblog.models import MESSAGE_MAX, Message, User
from microblog.schemas import MessageRow, Page
from microblog.services import notifications
from microblog.services.errors import Invalid
from microblog.services.pagination import make_page, page_window
from microblog.services.users import get_user, get_user_by_username


def validate_message_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid({"message": "Write a message first."})
    if len(body) > MESSAGE_MAX:
        raise Invalid(
            {"message": f"Messages can have at most {MESSAGE_MAX} characters ({len(body)} now)."}
        )
    return body


def send_message(
    session: Session, *, sender_id: int, recipient_username: str, body: str
) -> Message:
    """Store the message and notify the recipient (their badge updates after the commit)."""
    recipient = get_user_by_username(session, recipient_username)
    if recipient.id == sender_id:
        raise Invalid({"message": "You cannot send a message to yourself."})
    message = Message(
        sender_id=sender_id, recipient_id=recipient.id or 0, body=validate_message_body(body)
    )
    session.add(message)
    notifications.notify(
        session, user_id=recipient.id or 0, kind=notifications.MESSAGE, actor_id=sender_id
    )
    session.flush()
    return message


def unread_message_count(session: Session, *, user_id: int, read_up_to: int | None = None) -> int:
    """Unread received messages, counted up to UNREAD_CAP + 1 on (recipient_id, id)."""
    if read_up_to is None:
        read_up_to = get_user(session, user_id).last_message_read_id
    newer = (
        select(col(Message.id))
        .where(Message.recipient_id == user_id)
        .where(col(Message.id) > read_up_to)
        .limit(notifications.UNREAD_CAP + 1)
        .subquery()
    )
    return int(session.exec(select(func.count()).select_from(newer)).one())


def received_messages(
    session: Session, *, user_id: int, page: int, per_page: int
) -> Page[MessageRow]:
    """Newest first, with each sender; rows above the read marker are flagged unread."""
    read_up_to = get_user(session, user_id).last_message_read_id
    offset, limit = page_window(page, per_page)
    statement = (
        select(Message, User)
        .join(User, col(User.id) == col(Message.sender_id))
        .where(Message.recipient_id == user_id)
        .order_by(col(Message.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return make_page(
        session.exec(statement).all(),
        page=page,
        per_page=per_page,
        to_item=lambda row: MessageRow.of(*row, read_up_to=read_up_to),
    )


def mark_messages_read(session: Session, *, user_id: int) -> int:
    """Move the read marker to the newest received message; returns the previous marker, so the
    page that marked them can still highlight what was new."""
    user = get_user(session, user_id)
    previous = user.last_message_read_id
    newest = session.exec(select(func.max(Message.id)).where(Message.recipient_id == user_id)).one()
    if newest and newest > previous:
        # The marker only moves forward, even if two tabs mark at once.
        session.execute(
            update(User)
            .where(col(User.id) == user_id)
            .where(col(User.last_message_read_id) < newest)
            .values(last_message_read_id=newest)
        )
        publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))
    return previous
