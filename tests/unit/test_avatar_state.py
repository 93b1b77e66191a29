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
from microblog.state.event_check import MAX_ITEMS, problem_with
from microblog.state.session import SessionState
from tests.tab_state import session_token, tab_state
from tests.unit.test_avatars import _files, photo

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
    assert stored is not None and stored.avatar and len(_files(store)) == 2

    await EditProfileState.remove_avatar.fn(state)
    assert not state.has_own_avatar and state.avatar_card.startswith("https://www.gravatar.com/")
    assert state.avatar_notice == "Your picture is removed." and _files(store) == set()


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
    assert _files(store) == set()
    state.upload_ticket = ""  # a tab emptied by the session guard has no ticket at all
    await EditProfileState.upload_avatar.fn(state, [_file(photo((300, 300)))], "")
    assert _files(store) == set()


async def test_a_refused_file_says_why(
    session: Session, add_user: AddUser, store: LocalStore
) -> None:
    ann = add_user(session, "ann")
    session.commit()
    state = await _field(session, ann)
    page = b"<html><script>alert(1)</script></html>"
    await EditProfileState.upload_avatar.fn(state, [_file(page, "x.png")], state.upload_ticket)
    assert "not a picture we take" in state.avatar_error and not state.has_own_avatar
    assert not state.uploading and _files(store) == set()
    await EditProfileState.refuse_file.fn(state)
    assert state.avatar_error == "Choose a JPEG, PNG, WebP or GIF picture of at most 10 MB."
    # The browser refused a file and also sent the upload, with no file in it: whichever
    # arrives last, the refusal stands (it said "Choose one picture." when the upload came last).
    await EditProfileState.upload_avatar.fn(state, [], state.upload_ticket)
    assert state.avatar_error == "Choose a JPEG, PNG, WebP or GIF picture of at most 10 MB."
    two = [_file(photo((300, 300))), _file(photo((300, 300)))]
    await EditProfileState.upload_avatar.fn(state, two, state.upload_ticket)
    assert state.avatar_error == "Choose one picture." and _files(store) == set()


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
    too_many = [_file(b"x") for _ in range(MAX_ITEMS + 1)]
    assert problem_with(UPLOAD, {"files": too_many, "ticket": "t"}) is not None


# -- who hears of a changed face ---------------------------------------------------------------


@pytest.fixture
def open_tabs(session: Session, add_user: AddUser) -> Iterator[dict[str, int]]:
    """Ann (Edit profile and Explore open), Bob (Explore listing a post of Ann's; Home listing
    nobody's), a visitor on Ann's profile, a visitor on a thread without Ann."""
    from microblog.live.tabs import TABS

    found = {name: add_user(session, name).id for name in ("ann", "bob", "cy")}
    session.commit()
    tabs = {
        "ann-edit": (found["ann"], "/edit_profile", None),
        "ann-explore": (found["ann"], "/explore", set()),
        "bob-explore": (found["bob"], "/explore", {found["ann"], found["cy"]}),
        "bob-home": (found["bob"], "/", {found["cy"]}),
        "visitor-ann": (0, "/user/ann", {found["ann"]}),
        "visitor-thread": (0, "/post/7", {found["cy"]}),
    }
    for token, (user_id, path, authors) in tabs.items():
        if authors is not None:
            TABS.show_posts(token, path=path, post_ids=(), author_ids=authors)
        TABS.register(token, user_id=user_id, path=path, session_key=f"key-{user_id}")
    yield found
    for token in tabs:
        TABS.forget(token)


@pytest.mark.usefixtures("store")
async def test_a_new_face_reaches_the_owners_tabs_and_the_pages_drawing_them(
    session: Session, open_tabs: dict[str, int], sent_sql: list[str]
) -> None:
    from microblog.live import events as ev
    from microblog.services import avatars
    from microblog.state import delivery
    from microblog.state.feed import FeedState
    from microblog.state.profile import ProfileState

    avatars.set_avatar(session, user_id=open_tabs["ann"], data=photo((300, 300)))
    session.commit()
    sent_sql.clear()
    found = await delivery.targets(ev.user_changed(open_tabs["ann"]))
    assert {(token, state) for token, state, _ in found} == {
        ("ann-edit", SessionState),
        ("ann-explore", SessionState),
        ("ann-edit", EditProfileState),
        ("bob-explore", FeedState),
        ("visitor-ann", ProfileState),
    }
    # The face, read once for each of the four kinds of page (navbar, Edit profile, Explore,
    # profile), not once per tab.
    assert len(sent_sql) == 4

    # What a feed tab is given redraws Ann's cards there, without a query of its own.
    feed = await tab_state(FeedState, path="/explore")
    from microblog.schemas import PostRow

    feed.posts = [
        PostRow(
            id=1,
            body="",
            timestamp="",
            language="",
            author_id=open_tabs["ann"],
            author_username="ann",
            author_avatar="https://www.gravatar.com/avatar/x",
        ),
        PostRow(
            id=2,
            body="",
            timestamp="",
            language="",
            author_id=open_tabs["cy"],
            author_username="cy",
            author_avatar="https://www.gravatar.com/avatar/y",
        ),
    ]
    refresh = next(do for token, state, do in found if token == "bob-explore")
    sent_sql.clear()
    await refresh(feed)
    assert feed.posts[0].author_avatar.startswith("http://media.test/media/")
    assert feed.posts[1].author_avatar == "https://www.gravatar.com/avatar/y"
    assert sent_sql == []
