"""Every page's last on_load (`LiveState.connect`) reads badges, banner and export bar once per
websocket connection and user: while the connection stays open the live layer keeps them
current, so a click to another page reads nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import reflex as rx
from sqlmodel import Session

from microblog.live.tabs import TABS
from microblog.models import User
from microblog.services.messages import send_message

# connect() reaches their states, whose classes must exist before a tab's state tree is built.
from microblog.state import export, locale  # noqa: F401
from microblog.state.live import LiveState
from microblog.state.session import SessionState
from tests.tab_state import connect_tab, session_token

AddUser = Callable[..., User]


@pytest.fixture
def statements(sent_sql: list[str]) -> Iterator[list[str]]:
    yield sent_sql
    TABS.forget("tab-1")


async def _page_load(root: rx.State, *, token: str, path: str, sid: str) -> LiveState:
    """A page's on_load chain for this tab: the session check, then LiveState.connect."""
    connect_tab(root, token=token, path=path, sid=sid)
    await (await root.get_state(SessionState)).current_user_id()
    live = await root.get_state(LiveState)
    await LiveState.connect.fn(live)
    return live


def _message(session: Session, sender: User, recipient: User) -> None:
    send_message(session, sender_id=sender.id, recipient_username=recipient.username, body="hi")
    session.commit()


@pytest.mark.anyio
async def test_badges_are_read_once_per_connection_and_user(
    session: Session, add_user: AddUser, statements: list[str]
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    _message(session, susan, john)
    john_token, susan_token = session_token(session, john), session_token(session, susan)
    root = rx.State()

    live = await _page_load(root, token=john_token, path="/", sid="first")
    assert live.unread_messages == 1
    assert any("conversation" in s for s in statements)

    # Another page over the same connection: only the session check touches the database.
    _message(session, susan, john)  # a change the live layer would have pushed
    statements.clear()
    live = await _page_load(root, token=john_token, path="/explore", sid="first")
    assert statements and all("auth_session" in s for s in statements)
    assert live.unread_messages == 1
    assert dict(TABS.items())["tab-1"].path == "/explore"

    # A new connection (a reload, a reconnect) reads again.
    live = await _page_load(root, token=john_token, path="/explore", sid="second")
    assert live.unread_messages == 2

    # So does another user in the same connection.
    statements.clear()
    live = await _page_load(root, token=susan_token, path="/explore", sid="second")
    assert any("conversation" in s for s in statements)
    assert live.unread_messages == 0
