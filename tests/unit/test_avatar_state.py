"""Edit profile's avatar field, called as Reflex calls it: an upload with this page's ticket
changes the picture (the field, the navbar), one without it changes nothing, late progress
reports are dropped, Remove goes back to the Gravatar, and only Reflex's upload endpoint can
hand a handler files (a websocket event cannot)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import Session

from microblog.models import User
from microblog.services.media.store import LocalStore, use_store
from microblog.state.edit_profile import EditProfileState
from microblog.state.event_check import problem_with
from microblog.state.session import SessionState
from tests.tab_state import session_token, tab_state
from tests.unit.test_avatars import photo

AddUser = Callable[..., User]
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("use_engine")]
UPLOAD = f"{EditProfileState.get_full_name()}.upload_avatar"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    made = LocalStore(tmp_path / "media", "http://media.test/media")
    use_store(made)
    try:
        yield made
    finally:
        use_store(None)


def _file(data: bytes, name: str = "me.jpg") -> rx.UploadFile:
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), size=len(data))


async def _field(session: Session, user: User) -> EditProfileState:
    state = await tab_state(
        EditProfileState, token=session_token(session, user), path="/edit_profile"
    )
    await EditProfileState.load.fn(state)
    assert state.loaded and state.upload_ticket
    return state


async def test_an_upload_with_the_pages_ticket_becomes_the_avatar(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    state = await _field(session, ann)
    assert not state.has_own_avatar and state.avatar_card.startswith("https://www.gravatar.com/")
    ticket = state.upload_ticket
    await EditProfileState.upload_avatar.fn(state, [_file(photo((500, 300)))], ticket)
    assert state.avatar_error == "" and state.avatar_notice == "Your new picture is saved."
    assert state.has_own_avatar and state.avatar_card.startswith("http://media.test/media/")
    assert state.avatar_large.startswith("http://media.test/media/")
    assert state.avatar_large != state.avatar_card
    navbar = await state.get_state(SessionState)
    assert navbar.user_avatar == state.avatar_card  # the navbar's face, at once
    assert state.upload_ticket != ticket  # one upload per ticket
    session.expire_all()
    stored = session.get(User, ann.id)
    assert stored is not None and stored.avatar and len(set(store.names())) == 2

    await EditProfileState.remove_avatar.fn(state)
    assert not state.has_own_avatar and state.avatar_card.startswith("https://www.gravatar.com/")
    assert state.avatar_notice == "Your picture is removed." and set(store.names()) == set()


async def test_without_the_pages_ticket_nothing_changes(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    """Whoever only knows the tab token (a log) can post to the upload endpoint, which runs the
    handler with the tab's state: the ticket, which they cannot read, stops them."""
    ann = add_user(session, "ann")
    session.commit()
    state = await _field(session, ann)
    ticket = state.upload_ticket
    for guess in ("", "x" * 43, "ünïcode"):
        await EditProfileState.upload_avatar.fn(state, [_file(photo((300, 300)))], guess)
    assert state.upload_ticket == ticket and not state.has_own_avatar
    assert set(store.names()) == set()
    state.upload_ticket = ""  # a tab emptied by the session guard has no ticket at all
    await EditProfileState.upload_avatar.fn(state, [_file(photo((300, 300)))], "")
    assert set(store.names()) == set()


async def test_a_refused_file_says_why(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    state = await _field(session, ann)
    page = b"<html><script>alert(1)</script></html>"
    await EditProfileState.upload_avatar.fn(state, [_file(page, "x.png")], state.upload_ticket)
    assert "not a picture we take" in state.avatar_error and not state.has_own_avatar
    assert not state.uploading and set(store.names()) == set()
    await EditProfileState.refuse_file.fn(state)
    assert state.avatar_error == "Choose a JPEG, PNG, WebP or GIF picture of at most 10 MB."


async def test_progress_reports_of_a_finished_upload_are_dropped(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    state = await _field(session, ann)
    ticket = state.upload_ticket
    EditProfileState.track_upload.fn(state, ticket, {"loaded": 50, "total": 100, "progress": 0.5})
    assert state.uploading and state.upload_progress == 50
    await EditProfileState.upload_avatar.fn(state, [_file(photo((300, 300)))], ticket)
    assert not state.uploading
    EditProfileState.track_upload.fn(state, ticket, {"loaded": 100, "total": 100, "progress": 1})
    assert not state.uploading and state.upload_progress == 0


def test_only_the_upload_endpoint_can_hand_over_files() -> None:
    """A websocket event is JSON: whatever it calls "files" is not an UploadFile."""
    for files in ([{"name": "x.jpg"}], ["x.jpg"], "x.jpg", None):
        assert problem_with(UPLOAD, {"files": files, "ticket": "t"}) is not None
    assert problem_with(UPLOAD, {"files": [_file(b"x")], "ticket": "t"}) is None
    too_many = [_file(b"x") for _ in range(5)]
    assert problem_with(UPLOAD, {"files": too_many, "ticket": "t"}) is not None
