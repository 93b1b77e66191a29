"""The login guard of state handlers (state/session.py `login_required`): one line on a handler
that needs a signed-in reader, who comes in as `user_id`; anyone else goes to log in and the
handler does not run. The browser can never choose the `user_id`."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
from sqlmodel import Session, func, select

import microblog.microblog  # noqa: F401  (registers every page, state and handler)
from microblog.models import Post, User
from microblog.services.messages import send_message
from microblog.state.event_check import problem_with
from microblog.state.feed import FeedState
from microblog.state.messages import MessagesState
from microblog.state.session import login_required
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]


def _posts(session: Session) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(Post)).one())


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_a_signed_in_reader_comes_in_as_user_id(session: Session, add_user: AddUser) -> None:
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    carol = add_user(session, "carol")
    send_message(session, sender_id=bob.id, recipient_username="alice", body="for alice")
    send_message(session, sender_id=carol.id, recipient_username="bob", body="for bob")
    session.commit()
    inbox = await tab_state(MessagesState, token=session_token(session, alice), path="/messages")
    assert await MessagesState.load.fn(inbox) is None
    assert [c.last_body for c in inbox.conversations] == ["for alice"] and inbox.loaded

    feed = await tab_state(FeedState, token=session_token(session, bob), path="/")
    feed.draft = "hello from bob"
    await FeedState.submit_post.fn(feed)
    assert _posts(session) == 1
    assert session.exec(select(Post.user_id)).one() == bob.id


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_a_visitor_goes_to_log_in_and_the_handler_does_not_run(session: Session) -> None:
    feed = await tab_state(FeedState, path="/explore")
    feed.draft = "a visitor's post"
    redirect = await FeedState.submit_post.fn(feed)
    assert "/login?next=%2Fexplore" in str(redirect)
    assert _posts(session) == 0
    assert feed.draft == "a visitor's post"  # what was typed stays

    # On an action the page's data stays; on a page load it is marked as not read for this view,
    # so nothing read for another page shows behind the redirect.
    feed.loaded = True
    await FeedState.delete_post.fn(feed, 1)
    assert feed.loaded
    assert "/login?next=%2Fexplore" in str(await FeedState.load_home.fn(feed))
    assert not feed.loaded


def test_the_browser_cannot_send_the_user_id() -> None:
    """Reflex and the event check see each handler without `user_id`: an event that names it is
    refused before any handler runs."""
    delete = f"{FeedState.get_full_name()}.delete_post"
    assert list(inspect.signature(FeedState.delete_post.fn).parameters) == ["self", "post_id"]
    assert problem_with(delete, {"post_id": 7}) is None
    assert problem_with(delete, {"post_id": 7, "user_id": 1}) == "unknown arguments ['user_id']"
    load = f"{MessagesState.get_full_name()}.load"
    assert problem_with(load, {"user_id": 1}) == "unknown arguments ['user_id']"


def test_a_handler_without_a_keyword_only_user_id_is_refused_at_once() -> None:
    async def load(self: object, user_id: int) -> None:  # positional: the browser could fill it
        return None

    with pytest.raises(TypeError, match="keyword-only `user_id`"):
        login_required(load)
