"""The Messages pages' states, called as Reflex calls them: the list (reads nothing, "Mark all
as read"), a conversation (opening reads it, oldest first on screen, "Load earlier", sending
shows the message at once), the live update of an open conversation (its own messages only,
read at once by the recipient), and the old send-message address leading to the conversation."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.live.tabs import Tab
from microblog.models import User
from microblog.services.conversations import get_message_row, unread_message_count
from microblog.services.messages import send_message
from microblog.state.conversation import ConversationState
from microblog.state.messages import MessagesState
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("use_engine")]


@pytest.fixture
def per_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setenv("POSTS_PER_PAGE", "3")
    get_settings.cache_clear()
    yield 3
    get_settings.cache_clear()


def _send(session: Session, sender: User, recipient: User, body: str) -> int:
    sent = send_message(
        session, sender_id=sender.id, recipient_username=recipient.username, body=body
    )
    session.commit()
    assert sent.id is not None
    return sent.id


async def _open(session: Session, reader: User, path: str) -> ConversationState:
    state = await tab_state(ConversationState, token=session_token(session, reader), path=path)
    assert await ConversationState.load.fn(state) is None
    return state


async def test_opening_a_conversation_shows_both_sides_and_reads_it(
    session: Session, add_user: AddUser, per_page: int
) -> None:
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    bodies = [f"m{i}" for i in range(5)]
    for i, body in enumerate(bodies):
        _send(session, *((alice, bob) if i % 2 == 0 else (bob, alice)), body)
    assert unread_message_count(session, user_id=bob.id) == 3

    state = await _open(session, bob, "/messages/ALICE")
    assert (state.other_name, state.not_found, state.problem) == ("alice", False, "")
    assert state.other_avatar.startswith("https://www.gravatar.com/avatar/")
    assert state.profile_href == "/user/alice"
    # The newest page, oldest first on screen (the newest at the bottom).
    assert [(m.body, m.mine) for m in state.messages] == [
        ("m2", False),
        ("m3", True),
        ("m4", False),
    ]
    assert state.has_earlier and state.loaded
    assert unread_message_count(session, user_id=bob.id) == 0

    await ConversationState.load_earlier.fn(state)
    assert [m.body for m in state.messages] == bodies
    assert not state.has_earlier


async def test_sending_shows_the_message_at_once(session: Session, add_user: AddUser) -> None:
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    session.commit()
    state = await _open(session, alice, "/messages/bob")
    assert state.messages == [] and not state.has_earlier

    await ConversationState.set_draft.fn(state, "  lunch?  ")
    assert await ConversationState.send.fn(state) is None
    assert [(m.body, m.mine) for m in state.messages] == [("lunch?", True)]
    assert (state.draft, state.error) == ("", "")
    assert unread_message_count(session, user_id=bob.id) == 1

    await ConversationState.set_draft.fn(state, "x" * 141)
    await ConversationState.send.fn(state)
    assert "at most 140 characters" in state.error
    assert state.draft == "x" * 141  # what was typed stays
    assert len(state.messages) == 1


async def test_a_live_message_shows_on_its_conversation_only_and_is_read_there(
    session: Session, add_user: AddUser
) -> None:
    alice, bob, carol = (add_user(session, n) for n in ("alice", "bob", "carol"))
    _send(session, alice, bob, "hello bob")
    state = await _open(session, bob, "/messages/alice")
    tab = Tab(user_id=bob.id, path="/messages/alice")

    new = get_message_row(session, message_id=_send(session, alice, bob, "are you there?"))
    assert new is not None
    await ConversationState._on_live_message(state, new, tab)
    await ConversationState._on_live_message(state, new, tab)  # delivered twice: shown once
    assert [(m.body, m.mine) for m in state.messages] == [
        ("hello bob", False),
        ("are you there?", False),
    ]
    assert unread_message_count(session, user_id=bob.id) == 0  # read where it showed

    other = get_message_row(session, message_id=_send(session, carol, bob, "from carol"))
    assert other is not None
    await ConversationState._on_live_message(state, other, tab)
    assert [m.body for m in state.messages][-1] == "are you there?"
    assert unread_message_count(session, user_id=bob.id) == 1  # carol's stays unread

    # Bob's own message, sent elsewhere (another tab, the API), shows as his.
    mine = get_message_row(session, message_id=_send(session, bob, alice, "yes!"))
    assert mine is not None
    await ConversationState._on_live_message(state, mine, tab)
    assert [(m.body, m.mine) for m in state.messages][-1] == ("yes!", True)


async def test_no_conversation_with_nobody_or_oneself(session: Session, add_user: AddUser) -> None:
    alice = add_user(session, "alice")
    session.commit()
    state = await _open(session, alice, "/messages/nobody")
    assert (state.not_found, state.other_name, state.loaded) == (True, "nobody", True)
    state = await _open(session, alice, "/messages/alice")
    assert state.problem == "You cannot send a message to yourself."
    assert state.messages == []


async def test_the_old_send_message_address_leads_to_the_conversation() -> None:
    state = await tab_state(ConversationState, path="/send_message/Susan%20Q")
    redirect = ConversationState.open_from_old_address.fn(state)
    assert "/messages/Susan%20Q" in str(redirect)


async def test_the_list_reads_nothing_and_marks_all_read_on_request(
    session: Session, add_user: AddUser
) -> None:
    alice, bob, carol = (add_user(session, n) for n in ("alice", "bob", "carol"))
    _send(session, bob, alice, "from bob")
    _send(session, alice, carol, "to carol")
    state = await tab_state(MessagesState, token=session_token(session, alice), path="/messages")
    await MessagesState.load.fn(state)
    assert [(c.username, c.last_body, c.last_mine, c.unread) for c in state.conversations] == [
        ("carol", "to carol", True, 0),
        ("bob", "from bob", False, 1),
    ]
    assert state.conversations[1].href == "/messages/bob"
    assert unread_message_count(session, user_id=alice.id) == 1

    await MessagesState.mark_all_read.fn(state)
    assert [c.unread for c in state.conversations] == [0, 0]
    assert unread_message_count(session, user_id=alice.id) == 0
