"""Private messages: sending and its validation, and the 'message' notification the recipient
gets. Conversations, unread counts and reading are tests/unit/test_conversations.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from microblog.models import MESSAGE_MAX, Message, Notification, User
from microblog.services import notifications
from microblog.services.errors import Invalid, NotFound
from microblog.services.messages import send_message

AddUser = Callable[..., User]


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


# -- sending and validation -------------------------------------------------------------------


def test_send_message_stores_it_stripped(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    message = send_message(
        session, sender_id=john.id, recipient_username="susan", body="  hi there \n"
    )
    session.commit()
    assert message.id is not None
    stored = session.get(Message, message.id)
    assert stored is not None
    assert (stored.sender_id, stored.recipient_id, stored.body) == (john.id, susan.id, "hi there")


def test_send_message_recipient_name_ignores_case_and_spaces(
    session: Session, add_user: AddUser
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "Susan")
    message = send_message(session, sender_id=john.id, recipient_username=" susan ", body="hello")
    assert message.recipient_id == susan.id


def test_send_message_accepts_exactly_the_limit(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    add_user(session, "susan")
    body = "x" * MESSAGE_MAX
    assert send_message(session, sender_id=john.id, recipient_username="susan", body=body).body
    assert _count(session, Message) == 1


@pytest.mark.parametrize("body", ["", "   ", "\n\t "])
def test_send_empty_message_is_refused(session: Session, add_user: AddUser, body: str) -> None:
    john = add_user(session, "john")
    add_user(session, "susan")
    with pytest.raises(Invalid) as caught:
        send_message(session, sender_id=john.id, recipient_username="susan", body=body)
    assert set(caught.value.errors) == {"message"}
    assert caught.value.errors["message"] == "Write a message first."
    session.commit()
    assert _count(session, Message) == 0
    assert _count(session, Notification) == 0


def test_send_too_long_message_says_how_long(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    add_user(session, "susan")
    too_long = "y" * (MESSAGE_MAX + 1)
    with pytest.raises(Invalid) as caught:
        send_message(session, sender_id=john.id, recipient_username="susan", body=too_long)
    text = caught.value.errors["message"]
    assert f"at most {MESSAGE_MAX} characters" in text
    assert f"({MESSAGE_MAX + 1} now)" in text
    assert caught.value.message == text  # what the UI shows
    session.commit()
    assert _count(session, Message) == 0
    assert _count(session, Notification) == 0


def test_surrounding_whitespace_does_not_count_towards_the_limit(
    session: Session, add_user: AddUser
) -> None:
    john = add_user(session, "john")
    add_user(session, "susan")
    body = "  " + "z" * MESSAGE_MAX + "  "
    sent = send_message(session, sender_id=john.id, recipient_username="susan", body=body)
    assert sent.body == "z" * MESSAGE_MAX


def test_send_to_unknown_user_is_not_found(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    with pytest.raises(NotFound) as caught:
        send_message(session, sender_id=john.id, recipient_username="nobody", body="hello")
    assert "nobody" in caught.value.message
    session.commit()
    assert _count(session, Message) == 0
    assert _count(session, Notification) == 0


def test_send_to_yourself_is_invalid(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    with pytest.raises(Invalid) as caught:
        send_message(session, sender_id=john.id, recipient_username="JOHN", body="note to self")
    assert "yourself" in caught.value.errors["message"]
    session.commit()
    assert _count(session, Message) == 0
    assert _count(session, Notification) == 0


# -- the recipient's notification -------------------------------------------------------------


def test_recipient_gets_a_message_notification(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    send_message(session, sender_id=john.id, recipient_username="susan", body="hello")
    session.commit()

    assert notifications.unread_count(session, user_id=susan.id) == 1
    assert notifications.unread_count(session, user_id=john.id) == 0
    rows = notifications.list_notifications(session, user_id=susan.id, page=1, per_page=10).items
    assert len(rows) == 1
    row = rows[0]
    assert (row.kind, row.actor_username, row.unread) == (notifications.MESSAGE, "john", True)
    assert row.text == "john sent you a private message."
    assert row.href == "/messages/john"  # the conversation
    assert (
        notifications.list_notifications(session, user_id=john.id, page=1, per_page=10).items == []
    )
