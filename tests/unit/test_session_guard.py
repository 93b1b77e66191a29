"""A tab's state belongs to the login session that filled it (state/session.py, SessionGuard).

The tab token is only an address: a reconnect with the token of someone's closed tab, without
their cookie or with another one, or after their session ended, finds an empty tab, and the
guard runs before the state is sent (the reconnect's hydrate passes through it first)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
import reflex as rx
from sqlmodel import Session

from microblog.models import User
from microblog.services import auth_sessions
from microblog.services.messages import send_message
from microblog.state.messages import MessagesState
from microblog.state.session import SessionGuard, SessionState
from tests.tab_state import connect_tab, session_token

AddUser = Callable[..., User]


async def _event(root: rx.State, *, token: str, sid: str, path: str = "/messages") -> None:
    """An event of this tab over connection `sid` whose handshake carried `token`: what Reflex
    does before any handler (router data, then the app's middleware)."""
    connect_tab(root, token=token, path=path, sid=sid)
    await SessionGuard().preprocess(app=None, state=root, event=None)  # type: ignore[arg-type]


async def _alice_reads_her_messages(session: Session, add_user: AddUser) -> tuple[rx.State, str]:
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    send_message(session, sender_id=bob.id, recipient_username="alice", body="the secret plan")
    session.commit()
    token = session_token(session, alice)
    root = rx.State()
    await _event(root, token=token, sid="alice-1")
    inbox = await root.get_state(MessagesState)
    await MessagesState.load.fn(inbox)
    assert [c.last_body for c in inbox.conversations] == ["the secret plan"]
    return root, token


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
@pytest.mark.parametrize("cookie", ["none", "another user's"])
async def test_a_reconnect_without_the_session_finds_an_empty_tab(
    session: Session, add_user: AddUser, cookie: str
) -> None:
    root, _ = await _alice_reads_her_messages(session, add_user)
    other = session_token(session, add_user(session, "mallory")) if cookie != "none" else ""

    await _event(root, token=other, sid="mallory-1")

    sent = repr(root.dict())
    assert "the secret plan" not in sent
    assert "alice" not in sent
    assert (await root.get_state(MessagesState)).conversations == []
    reader = await root.get_state(SessionState)
    assert reader.user_name == ("mallory" if other else "")


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
@pytest.mark.parametrize("how", ["logout", "all sessions ended"])
async def test_a_tab_of_an_ended_session_is_emptied_at_its_next_event(
    session: Session, add_user: AddUser, how: str
) -> None:
    root, token = await _alice_reads_her_messages(session, add_user)
    if how == "logout":
        auth_sessions.end_session(session, token=token)
    else:
        alice_id = (await root.get_state(SessionState)).user_id
        auth_sessions.end_all_sessions(session, user_id=alice_id)
    session.commit()

    # The same cookie, still in the browser of the closed tab, over a new connection.
    await _event(root, token=token, sid="alice-2")

    assert "the secret plan" not in repr(root.dict())
    assert (await root.get_state(SessionState)).user_id == 0


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_the_same_session_keeps_its_tab(session: Session, add_user: AddUser) -> None:
    root, token = await _alice_reads_her_messages(session, add_user)
    await _event(root, token=token, sid="alice-2")  # a reload: a new connection, same cookie
    kept = (await root.get_state(MessagesState)).conversations
    assert [c.last_body for c in kept] == ["the secret plan"]
    assert (await root.get_state(SessionState)).user_name == "alice"


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_each_event_reads_the_session_once(
    session: Session, add_user: AddUser, sent_sql: list[str]
) -> None:
    """The middleware reads the session for each event, and the handler's own check in the same
    event reads nothing more; so a session ended between two events of one connection is seen
    at the very next one."""
    from reflex_base.event.context import EventContext

    alice = add_user(session, "alice")
    token = session_token(session, alice)
    root = rx.State()
    reader = await root.get_state(SessionState)

    def reads() -> int:
        return sum("auth_session" in s for s in sent_sql)

    for txid in ("event-1", "event-2"):
        marker = EventContext._context_var.set(SimpleNamespace(txid=txid))  # type: ignore[arg-type]
        try:
            sent_sql.clear()
            await _event(root, token=token, sid="alice-1")
            assert await reader.current_user_id() == alice.id
            assert reads() == 1
        finally:
            EventContext._context_var.reset(marker)

    auth_sessions.end_session(session, token=token)
    session.commit()
    marker = EventContext._context_var.set(SimpleNamespace(txid="event-3"))  # type: ignore[arg-type]
    try:
        await _event(root, token=token, sid="alice-1")
    finally:
        EventContext._context_var.reset(marker)
    assert reader.user_id == 0


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_emptying_a_tab_keeps_the_browsers_language(
    session: Session, add_user: AddUser
) -> None:
    """The language lives in the browser (localStorage, synced to its other tabs): a tab emptied
    for a new session must not send it back empty."""
    from microblog.state.locale import LocaleState

    root, _ = await _alice_reads_her_messages(session, add_user)
    (await root.get_state(LocaleState)).lang = "zh"
    await _event(root, token="", sid="visitor-1")
    assert (await root.get_state(MessagesState)).conversations == []
    assert (await root.get_state(LocaleState)).lang == "zh"
