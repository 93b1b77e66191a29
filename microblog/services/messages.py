"""Private messages between users (chapter 21), with an unread count per recipient."""

from __future__ import annotations

from sqlmodel import Session, col, select

from microblog.i18n import _l
from microblog.models import MESSAGE_MAX, Message, User
from microblog.schemas import MessageRow, Page
from microblog.services import notifications, read_markers
from microblog.services.errors import Invalid
from microblog.services.pagination import make_page, page_window
from microblog.services.text import require_storable
from microblog.services.users import get_user, get_user_by_username


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
    """Store the message and notify the recipient (their badge updates after the commit)."""
    recipient = get_user_by_username(session, recipient_username)
    if recipient.id == sender_id:
        raise Invalid({"message": _l("You cannot send a message to yourself.")})
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
    return read_markers.count_unread(
        session,
        id_column=Message.id,
        owner_column=Message.recipient_id,
        user_id=user_id,
        after=read_up_to,
    )


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
    return read_markers.mark_read(
        session,
        id_column=Message.id,
        owner_column=Message.recipient_id,
        marker=User.last_message_read_id,
        user_id=user_id,
    )


def read_messages(session: Session, *, user_id: int, page: int, per_page: int) -> Page[MessageRow]:
    """The Messages page: a page of received messages, then everything received marked read
    (the badge of every open tab clears after the commit). The rows keep their unread flag from
    before, so the page can still show what was new."""
    listing = received_messages(session, user_id=user_id, page=page, per_page=per_page)
    mark_messages_read(session, user_id=user_id)
    return listing
