"""Conversations (services/conversations.py): one row per person written with, kept by the send
service; both sides of a conversation, newest first, with pages and "load earlier"; reading a
conversation marks it read (and only it), never a message that was not shown; the badge's
count; the live events; the indexes each read uses; and exact rows under concurrent sends."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from microblog.db import session_scope
from microblog.live.events import INBOX, MESSAGES, LiveEvent
from microblog.models import Conversation, Message, User
from microblog.schemas import avatar_url
from microblog.services import notifications
from microblog.services.conversations import (
    conversation_messages,
    get_message_row,
    list_conversations,
    mark_all_read,
    mark_conversation_read,
    read_conversation,
    unread_message_count,
)
from microblog.services.errors import Invalid, NotFound
from microblog.services.messages import send_message
from tests.query_plans import plans_of, statements_sent
from tests.recording_hub import RecordingHub

AddUser = Callable[..., User]


def _send(session: Session, sender: User, recipient: User, body: str) -> Message:
    message = send_message(
        session, sender_id=sender.id, recipient_username=recipient.username, body=body
    )
    session.commit()
    return message


def _rows(session: Session) -> dict[tuple[int, int], tuple[int, int]]:
    """(owner, other) -> (last message id, unread), as stored."""
    session.expire_all()
    found = session.execute(
        select(
            Conversation.owner_id,
            Conversation.other_id,
            Conversation.last_message_id,
            Conversation.unread,
        )
    ).all()
    return {(owner, other): (last, unread) for owner, other, last, unread in found}


# -- the rows the send service keeps ----------------------------------------------------------


def test_a_message_keeps_both_sides_rows(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    first = _send(session, john, susan, "hi susan")
    assert _rows(session) == {
        (john.id, susan.id): (first.id, 0),
        (susan.id, john.id): (first.id, 1),
    }

    second = _send(session, john, susan, "are you there?")
    reply = _send(session, susan, john, "yes!")
    assert _rows(session) == {
        (john.id, susan.id): (reply.id, 1),  # john has susan's reply to read
        (susan.id, john.id): (reply.id, 2),  # susan has not read john's two yet
    }
    assert second.id < reply.id


def test_a_refused_message_changes_no_conversation(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    for body in ("", "x" * 141):
        with pytest.raises(Invalid):
            send_message(session, sender_id=john.id, recipient_username="susan", body=body)
    with pytest.raises(NotFound):
        send_message(session, sender_id=john.id, recipient_username="nobody", body="hello")
    session.commit()
    assert _rows(session) == {}
    assert unread_message_count(session, user_id=susan.id) == 0


def test_the_list_has_one_row_per_person_newest_conversation_first(
    session: Session, add_user: AddUser
) -> None:
    susan, john, mary, tom = (add_user(session, n) for n in ("susan", "john", "mary", "tom"))
    _send(session, john, susan, "from john")
    _send(session, susan, mary, "to mary")
    _send(session, tom, susan, "from tom")
    _send(session, john, susan, "john again")  # john's conversation moves to the top
    _send(session, mary, tom, "not susan's business")

    page = list_conversations(session, user_id=susan.id, page=1, per_page=10)
    assert [(r.username, r.last_body, r.last_mine, r.unread) for r in page.items] == [
        ("john", "john again", False, 2),
        ("tom", "from tom", False, 1),
        ("mary", "to mary", True, 0),
    ]
    first = page.items[0]
    assert (first.user_id, first.avatar, first.href) == (
        john.id,
        avatar_url(john.email, 48, picture=None),
        "/messages/john",
    )
    assert first.last_timestamp.endswith("Z")
    assert (page.has_prev, page.has_next) == (False, False)

    one, two = (list_conversations(session, user_id=susan.id, page=n, per_page=2) for n in (1, 2))
    assert [r.username for r in one.items + two.items] == ["john", "tom", "mary"]
    assert (one.has_next, two.has_prev, two.has_next) == (True, True, False)
    # Listing reads nothing.
    assert unread_message_count(session, user_id=susan.id) == 3
    assert (
        list_conversations(session, user_id=add_user(session, "new").id, page=1, per_page=5).items
        == []
    )


# -- a conversation's messages ----------------------------------------------------------------


def test_a_conversation_has_both_sides_newest_first_and_nobody_elses(
    session: Session, add_user: AddUser
) -> None:
    john, susan, mary = (add_user(session, n) for n in ("john", "susan", "mary"))
    bodies = []
    for i in range(7):
        sender, recipient = (john, susan) if i % 3 else (susan, john)
        _send(session, sender, recipient, f"m{i}")
        bodies.append(f"m{i}")
        _send(session, mary, john, f"mary {i}")  # another conversation, interleaved

    pages = [
        conversation_messages(session, user_id=john.id, other_id=susan.id, page=n, per_page=3)
        for n in (1, 2, 3)
    ]
    rows = [row for page in pages for row in page.items]
    assert [r.body for r in rows] == bodies[::-1]
    assert [r.mine for r in rows] == [i % 3 != 0 for i in range(6, -1, -1)]
    assert all(r.timestamp.endswith("Z") for r in rows)
    assert [(p.has_prev, p.has_next) for p in pages] == [(False, True), (True, True), (True, False)]
    # Susan sees the same messages from her side.
    hers = conversation_messages(session, user_id=susan.id, other_id=john.id, page=1, per_page=10)
    assert [r.id for r in hers.items] == [r.id for r in rows]
    assert [r.mine for r in hers.items] == [not r.mine for r in rows]

    # "Load earlier": the page before a message, whatever arrived since.
    oldest_shown = pages[0].items[-1]
    _send(session, susan, john, "newer, not shifting anything")
    earlier = conversation_messages(
        session, user_id=john.id, other_id=susan.id, page=1, per_page=3, before_id=oldest_shown.id
    )
    assert [r.body for r in earlier.items] == [r.body for r in pages[1].items]
    assert earlier.has_next


def test_reading_a_conversation_marks_it_and_only_it_read(
    session: Session, add_user: AddUser
) -> None:
    susan, john, mary = (add_user(session, n) for n in ("susan", "john", "mary"))
    for body in ("a", "b", "c"):
        _send(session, john, susan, body)
    _send(session, mary, susan, "from mary")
    assert unread_message_count(session, user_id=susan.id) == 4

    view = read_conversation(session, user_id=susan.id, other_username="JOHN", per_page=2)
    session.commit()
    assert view.other.username == "john"
    assert [r.body for r in view.messages.items] == ["c", "b"]
    # The whole conversation is read (its older page too), not mary's.
    assert unread_message_count(session, user_id=susan.id) == 1
    assert [
        (r.username, r.unread)
        for r in list_conversations(session, user_id=susan.id, page=1, per_page=10).items
    ] == [("mary", 1), ("john", 0)]
    # John's side is untouched by Susan's reading.
    assert unread_message_count(session, user_id=john.id) == 0

    # An older page marks nothing.
    _send(session, john, susan, "d")
    read_conversation(session, user_id=susan.id, other_username="john", page=2, per_page=2)
    session.commit()
    assert unread_message_count(session, user_id=susan.id) == 2


def test_a_message_that_arrives_while_reading_stays_unread(
    session: Session, add_user: AddUser
) -> None:
    susan, john = add_user(session, "susan"), add_user(session, "john")
    shown = _send(session, john, susan, "shown")
    arrived = _send(session, john, susan, "arrived meanwhile")
    assert (
        mark_conversation_read(session, user_id=susan.id, other_id=john.id, seen_up_to=shown.id)
        is False
    )
    session.commit()
    assert unread_message_count(session, user_id=susan.id) == 2
    assert mark_conversation_read(
        session, user_id=susan.id, other_id=john.id, seen_up_to=arrived.id
    )
    session.commit()
    assert unread_message_count(session, user_id=susan.id) == 0
    # Nothing left to mark: nothing changes.
    assert not mark_conversation_read(
        session, user_id=susan.id, other_id=john.id, seen_up_to=arrived.id
    )


def test_an_empty_conversation_with_anyone_but_oneself(session: Session, add_user: AddUser) -> None:
    susan, john = add_user(session, "susan"), add_user(session, "john")
    view = read_conversation(session, user_id=susan.id, other_username="john", per_page=5)
    assert (view.other.id, view.messages.items, view.messages.has_next) == (john.id, [], False)
    with pytest.raises(NotFound):
        read_conversation(session, user_id=susan.id, other_username="nobody", per_page=5)
    with pytest.raises(Invalid) as caught:
        read_conversation(session, user_id=susan.id, other_username="Susan", per_page=5)
    assert caught.value.message == "You cannot send a message to yourself."


def test_mark_all_read_and_the_badge_cap(session: Session, add_user: AddUser) -> None:
    susan = add_user(session, "susan")
    senders = [add_user(session, f"s{i}") for i in range(3)]
    for sender in senders:
        _send(session, sender, susan, "hello")
    # Many unread in one conversation: the count stops at the cap + 1 ("99+").
    cap = notifications.UNREAD_CAP
    session.execute(
        update(Conversation)
        .where(col(Conversation.owner_id) == susan.id)
        .where(col(Conversation.other_id) == senders[0].id)
        .values(unread=cap + 50)
    )
    session.commit()
    assert unread_message_count(session, user_id=susan.id) == cap + 1

    assert mark_all_read(session, user_id=susan.id) == 3
    session.commit()
    assert unread_message_count(session, user_id=susan.id) == 0
    assert mark_all_read(session, user_id=susan.id) == 0


def test_one_message_read_for_the_live_update(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    sent = _send(session, john, susan, "live")
    row = get_message_row(session, message_id=sent.id)
    assert row is not None
    assert (row.body, row.sender_id, row.recipient_id) == ("live", john.id, susan.id)
    assert row.for_reader(john.id).mine and not row.for_reader(susan.id).mine
    assert get_message_row(session, message_id=sent.id + 100) is None


# -- live events ------------------------------------------------------------------------------


def test_sending_tells_both_sides_and_reading_tells_the_reader(
    session: Session, add_user: AddUser, hub: RecordingHub
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    sent = send_message(session, sender_id=john.id, recipient_username="susan", body="hi")
    assert hub.events == []  # nothing before the commit
    session.commit()
    assert hub.events == [
        LiveEvent(MESSAGES, user_ids=(john.id, susan.id), author_id=john.id, ref_id=sent.id),
        LiveEvent(INBOX, user_ids=(susan.id,)),  # the badge
    ]
    hub.events.clear()

    read_conversation(session, user_id=susan.id, other_username="john", per_page=5)
    session.commit()
    assert hub.events == [
        LiveEvent(INBOX, user_ids=(susan.id,)),
        LiveEvent(MESSAGES, user_ids=(susan.id,)),
    ]
    hub.events.clear()
    read_conversation(session, user_id=susan.id, other_username="john", per_page=5)
    session.commit()
    assert hub.events == []  # nothing new was read


# -- the indexes each read uses ---------------------------------------------------------------


def _plan(engine: Engine, run: Callable[[Session], object]) -> str:
    return "\n".join(plans_of(engine, statements_sent(engine, run, reads_only=True)))


def test_each_read_uses_its_index(session: Session, add_user: AddUser, engine: Engine) -> None:
    susan, john = add_user(session, "susan"), add_user(session, "john")
    _send(session, john, susan, "hello")
    _send(session, susan, john, "hi")

    listing = _plan(engine, lambda db: list_conversations(db, user_id=susan.id, page=1, per_page=5))
    assert "ix_conversation_owner_last" in listing, listing
    badge = _plan(engine, lambda db: unread_message_count(db, user_id=susan.id))
    assert "ix_conversation_owner_unread" in badge, badge
    pair = _plan(
        engine,
        lambda db: conversation_messages(
            db, user_id=susan.id, other_id=john.id, page=1, per_page=5
        ),
    )
    assert pair.count("ix_message_sender_recipient") == 2, pair  # once each way


# -- concurrency ------------------------------------------------------------------------------


def test_concurrent_messages_both_ways_keep_the_rows_exact(
    engine: Engine, session: Session, add_user: AddUser
) -> None:
    """Two people writing to each other at once, from several threads (each message its own
    transaction): no deadlock, the newest message on both rows, every message counted once."""
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    session.commit()
    per_thread, errors = 15, []

    def write(sender: User, recipient: User) -> None:
        try:
            for i in range(per_thread):
                with session_scope(engine) as db:
                    send_message(
                        db, sender_id=sender.id, recipient_username=recipient.username, body=str(i)
                    )
        except Exception as problem:  # reported below, with the thread's failure
            errors.append(problem)

    threads = [
        threading.Thread(target=write, args=pair) for pair in [(alice, bob), (bob, alice)] * 3
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    newest = session.execute(select(Message.id).order_by(Message.id.desc()).limit(1)).scalar_one()
    assert _rows(session) == {
        (alice.id, bob.id): (newest, 3 * per_thread),
        (bob.id, alice.id): (newest, 3 * per_thread),
    }
