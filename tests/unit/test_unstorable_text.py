"""Text that cannot be stored (a NUL, which PostgreSQL's text refuses; a lone surrogate, which
UTF-8 cannot encode) sent over the websocket: each page's handler, called as Reflex calls it, on
SQLite and PostgreSQL, shows a clear message beside the field and changes nothing. Before, each
raised deep in the database driver or the password hash (a server error, the form stuck).

The services' rule itself (`services/text.py`) is tested here too; the REST API's side is in
tests/api/test_api_unstorable_text.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from reflex.utils import format
from sqlalchemy import func
from sqlmodel import Session, select

from microblog.i18n import translate
from microblog.models import Announcement, LoginFailure, Message, Post, User
from microblog.services import announcements, text
from microblog.services.errors import Invalid
from microblog.services.password_reset import make_reset_token
from microblog.state.auth import LoginState, RegisterState
from microblog.state.conversation import ConversationState
from microblog.state.edit_profile import EditProfileState
from microblog.state.feed import FeedState
from microblog.state.locale import LocaleState
from microblog.state.password_reset import ResetPasswordState
from tests.tab_state import session_token, tab_state

BAD = {"nul": "a\x00b", "surrogate": "a\ud800b"}
STORED = "cannot be stored"
MakeUser = Callable[..., User]
pytestmark = pytest.mark.usefixtures("use_engine")


def _count(session: Session, statement: Any) -> int:
    session.expire_all()
    return session.exec(statement).one()


def _sendable(state: rx.State) -> None:
    """The update Reflex would send this tab encodes as UTF-8 (a var holding a lone surrogate
    would make it fail, and the message beside the field would never arrive)."""
    format.json_dumps(state._get_root_state().get_delta()).encode("utf-8")


@pytest.mark.parametrize(
    ("value", "storable"),
    [
        ("plain", True),
        ("ünïcödé 中文 🎉", True),  # a surrogate pair is one character in Python: fine
        ("\t\n tabs and newlines", True),
        ("a\x00b", False),
        ("\ud800", False),
        ("x\udfff", False),
    ],
)
def test_the_rule(value: str, storable: bool) -> None:
    assert text.is_storable(value) is storable
    assert (text.text_errors(body=value) == {}) is storable


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(Invalid) as refused:
        text.require_storable(login="a\x00", password="fine", other="\ud800")
    assert set(refused.value.errors) == {"login", "other"}
    assert all(STORED in message for message in refused.value.errors.values())


@pytest.mark.parametrize("kind", BAD)
def test_an_announcement_refuses_unstorable_text(
    session: Session, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    admin = make_user(session, "root")
    monkeypatch.setattr(announcements, "is_admin", lambda _user: True)
    with pytest.raises(Invalid) as refused:
        announcements.post_announcement(session, author_id=admin.id, body="News " + BAD[kind])
    assert STORED in refused.value.errors["announcement"]
    session.rollback()
    assert _count(session, select(func.count()).select_from(Announcement)) == 0


# --- the pages, over the websocket -------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("field", ["username", "email", "password", "password2"])
async def test_registration_form(session: Session, kind: str, field: str) -> None:
    form = {
        "username": "newbie",
        "email": "newbie@example.com",
        "password": "password123",
        "password2": "password123",
    }
    form[field] = {
        "username": "new" + BAD[kind],
        "email": f"new{BAD[kind]}@example.com",
        "password": "password123" + BAD[kind],
        "password2": "password123" + BAD[kind],
    }[field]
    if field == "password2":
        form["password"] = form["password2"].replace(BAD[kind], "xyz")
    state = await tab_state(RegisterState, path="/register")
    assert await RegisterState.submit.fn(state, form) is None
    assert STORED in getattr(state, f"{field}_error")
    assert _count(session, select(func.count()).select_from(User)) == 0


async def _login_form() -> LoginState:
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"headers": {"origin": "http://localhost:3000"}, "asPath": "/login", "ip": "192.0.2.9"}
    )
    return await root.get_state(LoginState)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("field", ["login", "password"])
async def test_login_form(session: Session, make_user: MakeUser, kind: str, field: str) -> None:
    make_user(session, "alice", password="password123")
    session.commit()
    form = {"login": "alice", "password": "password123"}
    form[field] += BAD[kind]
    state = await _login_form()
    assert await LoginState.submit.fn(state, form) is None  # no ticket, no redirect
    assert STORED in state.error
    if field == "login":  # nothing is counted against a login no account can have
        assert _count(session, select(func.count()).select_from(LoginFailure)) == 0


async def _signed_in(state_class: type, session: Session, user: User, path: str) -> Any:
    return await tab_state(state_class, token=session_token(session, user), path=path)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("field", ["username", "about_me"])
async def test_edit_profile_form(session: Session, make_user: MakeUser, kind: str, field: str):
    john = make_user(session, "john")
    john.about_me = "as before"
    session.commit()
    state = await _signed_in(EditProfileState, session, john, "/edit_profile")
    await EditProfileState.load.fn(state)
    form = {"username": "john", "about_me": "as before", field: "jo" + BAD[kind]}
    assert await EditProfileState.submit.fn(state, form) is None
    assert STORED in getattr(state, f"{field}_error")
    _sendable(state)
    # The page keeps what it showed; UTF-8 could not carry the bad text back anyway.
    assert (state.username, state.about_me) == ("john", "as before")
    session.expire_all()
    assert (john.username, john.about_me) == ("john", "as before")


@pytest.mark.anyio
@pytest.mark.parametrize("kind", BAD)
async def test_typing_about_me(session: Session, make_user: MakeUser, kind: str) -> None:
    john = make_user(session, "john")
    session.commit()
    state = await _signed_in(EditProfileState, session, john, "/edit_profile")
    await EditProfileState.set_about_me.fn(state, "Hello")
    await EditProfileState.set_about_me.fn(state, "Hello " + BAD[kind])
    assert STORED in state.about_me_error
    assert state.about_me == "Hello"
    _sendable(state)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", BAD)
async def test_post_form(session: Session, make_user: MakeUser, kind: str) -> None:
    john = make_user(session, "john")
    session.commit()
    state = await _signed_in(FeedState, session, john, "/")
    await FeedState.set_draft.fn(state, "Hello")
    await FeedState.set_draft.fn(state, "Hello " + BAD[kind])  # refused as it is typed
    assert STORED in state.post_error
    assert state.draft == "Hello"  # the last text the page could show is kept
    _sendable(state)
    # A draft that holds it anyway (a tab state stored before this rule) is refused on submit.
    state.draft = "Hello " + BAD[kind]
    state.post_error = ""
    assert await FeedState.submit_post.fn(state) is None
    assert STORED in state.post_error
    assert _count(session, select(func.count()).select_from(Post)) == 0


@pytest.mark.anyio
async def test_the_message_is_in_the_readers_language(session: Session, make_user: MakeUser):
    john = make_user(session, "john")
    session.commit()
    state = await _signed_in(FeedState, session, john, "/")
    (await state.get_state(LocaleState)).lang = "es"
    await FeedState.set_draft.fn(state, "Hola \x00")
    spanish = translate(text.unstorable_text_error(), "es")
    assert spanish != text.unstorable_text_error()
    assert state.post_error == spanish


@pytest.mark.anyio
@pytest.mark.parametrize("kind", BAD)
async def test_message_form(session: Session, make_user: MakeUser, kind: str) -> None:
    john, susan = make_user(session, "john"), make_user(session, "susan")
    session.commit()
    state = await _signed_in(ConversationState, session, john, "/messages/susan")
    await ConversationState.load.fn(state)
    assert not state.not_found
    await ConversationState.set_draft.fn(state, "Hi " + BAD[kind])
    assert STORED in state.error
    assert state.draft == ""
    _sendable(state)
    state.draft, state.error = "Hi " + BAD[kind], ""
    assert await ConversationState.send.fn(state) is None
    assert STORED in state.error
    assert state.messages == []
    assert _count(session, select(func.count()).where(Message.recipient_id == susan.id)) == 0


@pytest.mark.anyio
@pytest.mark.parametrize("kind", BAD)
async def test_a_recipient_name_that_cannot_exist_is_not_found(
    session: Session, make_user: MakeUser, kind: str
) -> None:
    john = make_user(session, "john")
    session.commit()
    path = f"/messages/susan{BAD[kind]}"
    state = await _signed_in(ConversationState, session, john, path)
    await ConversationState.load.fn(state)
    assert state.not_found is True


@pytest.mark.anyio
@pytest.mark.parametrize("kind", BAD)
async def test_password_reset_form(session: Session, make_user: MakeUser, kind: str) -> None:
    john = make_user(session, "john")
    session.commit()
    old_hash = john.password_hash
    token = make_reset_token(john)
    state = await tab_state(ResetPasswordState, path=f"/reset_password/{token}")
    password = "new password " + BAD[kind]
    form = {"password": password, "password2": password}
    assert await ResetPasswordState.submit.fn(state, form) is None
    assert STORED in state.password_error
    session.expire_all()
    assert john.password_hash == old_hash
