"""Private messages: sending and its validation, the received list, unread counts and the read
marker, and the 'message' notification the recipient gets."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, insert
from sqlmodel import Session, select

from microblog.models import MESSAGE_MAX, Message, Notification, User
from microblog.schemas import MessageRow, Page, avatar_url
from microblog.services import notifications
from microblog.services.errors import Invalid, NotFound
from microblog.services.messages import (
    mark_messages_read,
    read_messages,
    received_messages,
    send_message,
    unread_message_count,
)

AddUser = Callable[..., User]


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def _bodies(page: Page[MessageRow]) -> list[str]:
    return [row.body for row in page.items]


def _marker(session: Session, user_id: int) -> int:
    """The read marker as stored in the database (not the identity map's copy)."""
    return session.exec(select(User.last_message_read_id).where(User.id == user_id)).one()


def _bulk_messages(session: Session, *, sender_id: int, recipient_id: int, n: int) -> None:
    session.execute(
        insert(Message),
        [{"sender_id": sender_id, "recipient_id": recipient_id, "body": f"m{i}"} for i in range(n)],
    )


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


# -- the received list ------------------------------------------------------------------------


def test_received_messages_newest_first_with_pages_and_senders(
    session: Session, add_user: AddUser
) -> None:
    susan = add_user(session, "susan")
    john, mary = add_user(session, "john"), add_user(session, "mary")
    senders = [john, mary, john, mary, john]
    for i, sender in enumerate(senders):
        send_message(session, sender_id=sender.id, recipient_username="susan", body=f"msg {i}")
        session.commit()

    first = received_messages(session, user_id=susan.id, page=1, per_page=2)
    second = received_messages(session, user_id=susan.id, page=2, per_page=2)
    third = received_messages(session, user_id=susan.id, page=3, per_page=2)
    assert _bodies(first) + _bodies(second) + _bodies(third) == [
        f"msg {i}" for i in range(4, -1, -1)
    ]
    assert (first.has_prev, first.has_next) == (False, True)
    assert (second.has_prev, second.has_next) == (True, True)
    assert (third.has_prev, third.has_next) == (True, False)
    assert len(third.items) == 1

    rows = first.items + second.items + third.items
    ids = [row.id for row in rows]
    assert ids == sorted(ids, reverse=True)
    expected_senders = [s.username for s in reversed(senders)]
    assert [row.sender_username for row in rows] == expected_senders
    by_name = {"john": john, "mary": mary}
    for row in rows:
        assert row.sender_avatar == avatar_url(by_name[row.sender_username].email, 48)
        assert row.timestamp.endswith("Z")
        assert row.unread  # nothing marked read yet


def test_received_messages_empty(session: Session, add_user: AddUser) -> None:
    susan = add_user(session, "susan")
    page = received_messages(session, user_id=susan.id, page=1, per_page=10)
    assert (page.items, page.has_next, page.has_prev) == ([], False, False)


def test_other_users_messages_never_appear_in_my_list(session: Session, add_user: AddUser) -> None:
    john, susan, mary = (
        add_user(session, "john"),
        add_user(session, "susan"),
        add_user(session, "mary"),
    )
    send_message(session, sender_id=john.id, recipient_username="mary", body="for mary")
    send_message(session, sender_id=susan.id, recipient_username="mary", body="sent by susan")
    send_message(session, sender_id=mary.id, recipient_username="susan", body="for susan")
    session.commit()

    assert _bodies(received_messages(session, user_id=susan.id, page=1, per_page=10)) == [
        "for susan"
    ]
    assert unread_message_count(session, user_id=susan.id) == 1
    assert _bodies(received_messages(session, user_id=mary.id, page=1, per_page=10)) == [
        "sent by susan",
        "for mary",
    ]
    # A sender does not receive their own messages.
    assert received_messages(session, user_id=john.id, page=1, per_page=10).items == []
    assert unread_message_count(session, user_id=john.id) == 0


# -- unread count and the read marker ---------------------------------------------------------


def test_unread_count_follows_the_marker(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    assert unread_message_count(session, user_id=susan.id) == 0
    sent = [
        send_message(session, sender_id=john.id, recipient_username="susan", body=f"m{i}")
        for i in range(3)
    ]
    session.commit()
    assert unread_message_count(session, user_id=susan.id) == 3
    # An explicit marker (the caller already has the user row) is used instead of the stored one.
    assert unread_message_count(session, user_id=susan.id, read_up_to=sent[0].id) == 2
    assert unread_message_count(session, user_id=susan.id, read_up_to=sent[-1].id) == 0


def test_unread_count_stops_at_cap_plus_one(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    cap = notifications.UNREAD_CAP
    _bulk_messages(session, sender_id=john.id, recipient_id=susan.id, n=cap)
    session.commit()
    assert unread_message_count(session, user_id=susan.id) == cap  # exactly the cap: still exact

    _bulk_messages(session, sender_id=john.id, recipient_id=susan.id, n=cap // 2)
    session.commit()
    assert _count(session, Message) == cap + cap // 2
    # Beyond the cap the count stops at cap + 1: enough for the badge to say "99+".
    assert unread_message_count(session, user_id=susan.id) == cap + 1


def test_mark_messages_read_moves_marker_and_returns_previous(
    session: Session, add_user: AddUser
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    first = [
        send_message(session, sender_id=john.id, recipient_username="susan", body=f"a{i}")
        for i in range(2)
    ]
    session.commit()

    assert mark_messages_read(session, user_id=susan.id) == 0
    session.commit()
    assert _marker(session, susan.id) == first[-1].id
    assert unread_message_count(session, user_id=susan.id) == 0
    assert not any(
        r.unread for r in received_messages(session, user_id=susan.id, page=1, per_page=10).items
    )

    later = send_message(session, sender_id=john.id, recipient_username="susan", body="later")
    session.commit()
    assert unread_message_count(session, user_id=susan.id) == 1
    rows = received_messages(session, user_id=susan.id, page=1, per_page=10).items
    assert [(r.body, r.unread) for r in rows] == [("later", True), ("a1", False), ("a0", False)]

    # The previous marker comes back, so the page can still highlight what was new.
    assert mark_messages_read(session, user_id=susan.id) == first[-1].id
    session.commit()
    assert _marker(session, susan.id) == later.id
    # Nothing new: the marker stays where it is.
    assert mark_messages_read(session, user_id=susan.id) == later.id
    session.commit()
    assert _marker(session, susan.id) == later.id


def test_mark_messages_read_ignores_messages_to_others(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    add_user(session, "mary")
    mine = send_message(session, sender_id=john.id, recipient_username="susan", body="mine")
    other = send_message(session, sender_id=john.id, recipient_username="mary", body="theirs")
    session.commit()
    assert other.id > mine.id
    assert mark_messages_read(session, user_id=susan.id) == 0
    session.commit()
    # The marker is my newest received message, not the newest message on the site.
    assert _marker(session, susan.id) == mine.id


def test_mark_messages_read_with_no_messages(session: Session, add_user: AddUser) -> None:
    susan = add_user(session, "susan")
    assert mark_messages_read(session, user_id=susan.id) == 0
    session.commit()
    assert _marker(session, susan.id) == 0


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
    assert row.href == "/messages"
    assert (
        notifications.list_notifications(session, user_id=john.id, page=1, per_page=10).items == []
    )


def test_reading_the_messages_page_shows_what_was_new_and_marks_all_read(
    session: Session, add_user: AddUser
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    for body in ("a", "b", "c"):
        send_message(session, sender_id=john.id, recipient_username="susan", body=body)
    session.commit()

    page = read_messages(session, user_id=susan.id, page=2, per_page=2)
    session.commit()
    assert [(r.body, r.unread) for r in page.items] == [("a", True)]
    assert (page.page, page.has_prev, page.has_next) == (2, True, False)
    assert unread_message_count(session, user_id=susan.id) == 0  # the whole inbox, not the page
    again = read_messages(session, user_id=susan.id, page=1, per_page=2)
    assert [(r.body, r.unread) for r in again.items] == [("c", False), ("b", False)]
