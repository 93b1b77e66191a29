"""The session check every page load and action makes: one read, and a last_seen write only
when the throttle window has passed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.models import User, utcnow
from microblog.state.session import SessionState
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]


async def _session_state(token: str) -> SessionState:
    return await tab_state(SessionState, token=token, hydrated=False)


def _kinds(sent_sql: list[str]) -> list[str]:
    """SELECT, UPDATE...: the first word of each statement sent."""
    return [statement.lstrip().split(None, 1)[0].upper() for statement in sent_sql]


def _john_last_seen_ago(session: Session, add_user: AddUser, seconds: int) -> tuple[int, str]:
    """John, signed in, last seen `seconds` ago: (his id, his session token)."""
    john = add_user(session, "john")
    john_id, token = john.id, session_token(session, john)
    john.last_seen = utcnow() - timedelta(seconds=seconds)
    session.add(john)
    session.commit()
    return john_id, token


def _last_seen(session: Session, user_id: int) -> datetime:
    session.expire_all()
    return session.exec(select(User.last_seen).where(User.id == user_id)).one()


@pytest.mark.anyio
async def test_recently_seen_user_is_checked_with_one_read_and_no_write(
    session: Session, add_user: AddUser, sent_sql: list[str]
) -> None:
    john_id, token = _john_last_seen_ago(session, add_user, 5)
    before = _last_seen(session, john_id)
    sent_sql.clear()

    state = await _session_state(token)
    assert await state.current_user_id() == john_id
    assert (state.user_name, state.is_authenticated) == ("john", True)
    assert _kinds(sent_sql) == ["SELECT"]
    assert _last_seen(session, john_id) == before


@pytest.mark.anyio
async def test_activity_is_recorded_once_the_throttle_window_has_passed(
    session: Session, add_user: AddUser, sent_sql: list[str]
) -> None:
    throttle = get_settings().last_seen_throttle_seconds
    john_id, token = _john_last_seen_ago(session, add_user, throttle + 30)
    before = _last_seen(session, john_id)
    sent_sql.clear()

    state = await _session_state(token)
    assert await state.current_user_id() == john_id
    assert "UPDATE" in _kinds(sent_sql)
    assert _last_seen(session, john_id) > before

    # The next event inside the window reads only.
    sent_sql.clear()
    assert await (await _session_state(token)).current_user_id() == john_id
    assert _kinds(sent_sql) == ["SELECT"]


@pytest.mark.anyio
@pytest.mark.parametrize("token", ["", "not-a-session"])
async def test_no_live_session_is_nobody_and_writes_nothing(
    session: Session, add_user: AddUser, sent_sql: list[str], token: str
) -> None:
    add_user(session, "john")
    state = await _session_state(token)
    assert await state.current_user_id() is None
    assert (state.user_id, state.user_name, state.is_authenticated) == (0, "", False)
    assert "UPDATE" not in _kinds(sent_sql)
