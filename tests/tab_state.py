"""A browser tab's side of the login, for tests that call Reflex states directly: a session
token made the way the login flow makes one, and a fresh state tree whose handshake carried it."""

from __future__ import annotations

from typing import TypeVar

import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session

from microblog.config import get_settings
from microblog.models import User
from microblog.services.auth_sessions import issue_login_ticket, redeem_login_ticket

S = TypeVar("S", bound=rx.State)


def session_token(session: Session, user: User) -> str:
    """A live login session token for `user` (ticket issued, then redeemed)."""
    ticket = issue_login_ticket(session, user_id=user.id, remember=False, next_path="/")
    redeemed = redeem_login_ticket(session, ticket=ticket, remember_days=1, default_hours=1)
    session.commit()
    assert redeemed is not None
    return redeemed[0]


def connect_tab(root: rx.State, *, token: str = "", path: str = "/", sid: str = "sid-1") -> None:
    """What Reflex records for an event of this tab: its address and websocket connection
    (`sid`), and the handshake's cookie carrying the session `token`."""
    cookie = f"{get_settings().session_cookie_name}={token}" if token else ""
    root.router = RouterData.from_router_data(
        {
            "headers": {"cookie": cookie, "origin": "http://localhost:3000"},
            "asPath": path,
            "sid": sid,
            "token": "tab-1",
        }
    )


async def tab_state(
    state: type[S], *, token: str = "", path: str = "/", hydrated: bool = True
) -> S:
    """`state` in a fresh state tree for one tab whose handshake carried `token` in the session
    cookie; `hydrated`: after the session guard has seen its first event (the hydrate, before
    anything else), as every tab a handler runs in has."""
    from microblog.state.session import SessionState

    root = rx.State()
    connect_tab(root, token=token, path=path)
    if hydrated:
        await (await root.get_state(SessionState)).guard()
    return await root.get_state(state)
