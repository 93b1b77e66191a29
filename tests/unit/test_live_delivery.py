"""Which open tabs a live event reaches, and with what (state/delivery.py `targets`): the
subscriptions each feature makes from its own state module, over this worker's tab registry,
with one query per event where a subscription narrows or reads for all its tabs at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import reflex as rx
from sqlmodel import Session

import microblog.microblog  # noqa: F401  (imports every state, so every subscription is made)
from microblog.live import events as ev
from microblog.live.tabs import TABS
from microblog.models import Announcement, Follow, User
from microblog.services.messages import send_message
from microblog.state import delivery
from microblog.state.conversation import ConversationState
from microblog.state.export import ExportState
from microblog.state.feed import FeedState
from microblog.state.live import LiveState
from microblog.state.messages import MessagesState
from microblog.state.notifications import NotificationsState
from tests.tab_state import tab_state

AddUser = Callable[..., User]


@pytest.fixture
def people(session: Session, add_user: AddUser) -> Iterator[dict[str, int]]:
    """Alice (Messages and Home open), Bob (Notifications), Carol (Home, follows Dave), and
    visitors on Explore and on Home; tabs are registered as `LiveState.connect` does."""
    found = {name: add_user(session, name).id for name in ("alice", "bob", "carol", "dave")}
    # The row alone: the service would also queue an email, whose sending would query too.
    session.add(Follow(follower_id=found["carol"], followed_id=found["dave"]))
    session.commit()
    tabs = {
        "alice-messages": (found["alice"], "/messages"),
        "alice-home": (found["alice"], "/"),
        "bob-notifications": (found["bob"], "/notifications"),
        "carol-home": (found["carol"], "/"),
        "visitor-explore": (0, "/explore"),
        "visitor-home": (0, "/"),
    }
    for token, (user_id, path) in tabs.items():
        TABS.register(token, user_id=user_id, path=path, session_key=f"key-{user_id}")
    yield found
    for token in tabs:
        TABS.forget(token)


async def _targets(event: ev.LiveEvent) -> set[tuple[str, type[rx.State]]]:
    return {(token, state) for token, state, _ in await delivery.targets(event)}


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_an_inbox_or_task_event_reaches_its_users_tabs_and_the_pages_that_list_it(
    people: dict[str, int],
) -> None:
    # The badges (the Messages list follows MESSAGES events, below).
    assert await _targets(ev.LiveEvent(ev.INBOX, user_ids=(people["alice"],))) == {
        ("alice-messages", LiveState),
        ("alice-home", LiveState),
    }
    assert await _targets(ev.LiveEvent(ev.INBOX, user_ids=(people["bob"],))) == {
        ("bob-notifications", LiveState),
        ("bob-notifications", NotificationsState),
    }
    assert await _targets(ev.LiveEvent(ev.TASK, user_ids=(people["bob"],))) == {
        ("bob-notifications", ExportState)
    }
    assert await _targets(ev.LiveEvent(ev.TASK, user_ids=(people["dave"],))) == set()  # no tab


@pytest.mark.anyio
async def test_a_new_post_reaches_every_explore_and_the_home_feeds_it_belongs_in(
    people: dict[str, int], sent_sql: list[str]
) -> None:
    sent_sql.clear()
    by_dave = await _targets(ev.LiveEvent(ev.NEW_POST, author_id=people["dave"]))
    assert by_dave == {("visitor-explore", FeedState), ("carol-home", FeedState)}
    assert len(sent_sql) == 1  # who has Dave in their home feed: one query for every home tab
    by_alice = await _targets(ev.LiveEvent(ev.NEW_POST, author_id=people["alice"]))
    assert by_alice == {("visitor-explore", FeedState), ("alice-home", FeedState)}


@pytest.mark.anyio
async def test_an_announcement_is_read_once_and_shown_in_every_tab(
    session: Session, people: dict[str, int], sent_sql: list[str]
) -> None:
    notice = Announcement(author_id=people["dave"], body="Maintenance tonight")
    session.add(notice)
    session.commit()
    sent_sql.clear()
    found = await delivery.targets(ev.LiveEvent(ev.ANNOUNCEMENT, ref_id=notice.id or 0))
    assert {token for token, _, _ in found} == {token for token, _ in TABS.items()}
    assert {state for _, state, _ in found} == {LiveState}
    assert len(sent_sql) == 3  # the row, the readers' markers, their unread counts

    # What each tab is given sets its banner without another query.
    visitor = await tab_state(LiveState, path="/explore")
    refresh = next(do for token, _, do in found if token == "visitor-explore")
    sent_sql.clear()
    await refresh(visitor)
    assert visitor.announcement is not None
    assert visitor.announcement.body == "Maintenance tonight"
    assert sent_sql == []

    gone = await delivery.targets(ev.LiveEvent(ev.ANNOUNCEMENT, ref_id=(notice.id or 0) + 1))
    assert gone == []  # no such announcement: nothing to show


@pytest.mark.anyio
async def test_a_message_reaches_both_sides_conversation_pages_read_once(
    session: Session, people: dict[str, int], sent_sql: list[str]
) -> None:
    """Alice writes to Bob: both people's lists, and the pages of their conversation with each
    other (not Alice's page of another conversation, nor Carol's), with the message read once
    for all of them; each page shows it from its own side."""
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    pages = {
        "alice-with-bob": (alice, "/messages/bob"),
        "alice-with-carol": (alice, "/messages/carol"),
        "bob-with-alice": (bob, "/messages/alice"),
        "bob-messages": (bob, "/messages"),
        "carol-with-alice": (carol, "/messages/alice"),
    }
    for token, (user_id, path) in pages.items():
        TABS.register(token, user_id=user_id, path=path, session_key=f"key-{user_id}")
    try:
        sent = send_message(session, sender_id=alice, recipient_username="bob", body="hi bob")
        session.commit()
        sent_sql.clear()
        event = ev.LiveEvent(ev.MESSAGES, user_ids=(alice, bob), author_id=alice, ref_id=sent.id)
        found = await delivery.targets(event)
        assert {(token, state) for token, state, _ in found} == {
            ("alice-messages", MessagesState),
            ("bob-messages", MessagesState),
            ("alice-with-bob", ConversationState),
            ("alice-with-carol", ConversationState),  # told, and sees it is not its own
            ("bob-with-alice", ConversationState),
        }
        assert len(sent_sql) == 1  # the message, once for every conversation page

        # Someone reading a conversation: only their lists re-read (no message to show).
        read = ev.LiveEvent(ev.MESSAGES, user_ids=(bob,))
        assert await _targets(read) == {("bob-messages", MessagesState)}
    finally:
        for token in pages:
            TABS.forget(token)


def test_only_a_private_method_can_be_subscribed() -> None:
    """The browser can call public handlers; a delivery must never be one of them."""
    with pytest.raises(ValueError, match="not a private method"):
        delivery.subscribe(ev.INBOX, LiveState, "connect")
    with pytest.raises(ValueError, match="not a private method"):
        delivery.subscribe(ev.INBOX, LiveState, "_no_such_method")
