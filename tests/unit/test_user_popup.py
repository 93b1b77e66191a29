"""The user popup: the card as a reader sees it (service), and the state that loads it on hover
and follows from it (driven directly, without a browser)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from reflex.istate.data import RouterData
from sqlmodel import Session

from microblog.models import User
from microblog.schemas import UserPublic
from microblog.services.errors import NotFound
from microblog.services.follows import follow, is_following
from microblog.services.user_popup import user_card
from microblog.state.profile import ProfileState
from microblog.state.session import SessionState
from microblog.state.user_popup import UserPopupState
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]


# --- the service -------------------------------------------------------------------------------


def test_card_counts_and_following_as_seen_by_a_follower(
    session: Session, add_user: AddUser
) -> None:
    john, susan, mary = (
        add_user(session, "john"),
        add_user(session, "susan"),
        add_user(session, "mary"),
    )
    susan.about_me = "Hi, I'm Susan."
    follow(session, follower_id=john.id, followed_id=susan.id)
    follow(session, follower_id=mary.id, followed_id=susan.id)
    follow(session, follower_id=susan.id, followed_id=mary.id)
    session.commit()

    card = user_card(session, username="susan", viewer_id=john.id)
    assert (card.id, card.username, card.about_me) == (susan.id, "susan", "Hi, I'm Susan.")
    assert (card.followers, card.following) == (2, 1)
    assert card.is_following is True
    assert card.is_self is False
    assert card.last_seen.endswith("Z")
    assert card.avatar.startswith("https://www.gravatar.com/avatar/")


def test_card_of_someone_not_followed(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    follow(session, follower_id=susan.id, followed_id=john.id)  # the other way round
    session.commit()
    card = user_card(session, username="susan", viewer_id=john.id)
    assert card.is_following is False
    assert (card.followers, card.following) == (0, 1)


def test_own_card_is_self_and_never_following(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    session.commit()
    card = user_card(session, username="john", viewer_id=john.id)
    assert card.is_self is True
    assert card.is_following is False


def test_card_for_a_visitor(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    card = user_card(session, username="susan", viewer_id=None)
    assert card.is_following is False
    assert card.is_self is False
    assert card.followers == 1


def test_card_carries_no_email(session: Session, add_user: AddUser) -> None:
    """The card goes into a state var, i.e. to the browser of whoever hovers."""
    add_user(session, "susan", email="secret-susan@example.com")
    session.commit()
    card = user_card(session, username="susan", viewer_id=None)
    assert "secret-susan" not in repr(card)


def test_unknown_user_raises_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        user_card(session, username="nobody", viewer_id=None)


# --- the state ---------------------------------------------------------------------------------


async def _popup(*, token: str = "", path: str = "/explore") -> UserPopupState:
    return await tab_state(UserPopupState, token=token, path=path)


async def _call(handler: Any, state: UserPopupState, *args: Any) -> Any:
    return await handler.fn(state, *args)


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_opening_loads_the_card_and_follow_toggles_it(
    session: Session, add_user: AddUser
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    popup = await _popup(token=session_token(session, john))
    (await popup.get_state(SessionState)).auth_checked = False  # as before the page's own check

    await _call(UserPopupState.open_card, popup, "susan", True)
    assert popup.card is not None
    assert (popup.card.username, popup.card.is_following, popup.card.followers) == (
        "susan",
        False,
        0,
    )
    assert popup.error == ""

    await _call(UserPopupState.toggle_follow, popup)
    assert (popup.card.is_following, popup.card.followers) == (True, 1)
    session.expire_all()
    assert is_following(session, follower_id=john.id, followed_id=susan.id)

    await _call(UserPopupState.toggle_follow, popup)
    assert (popup.card.is_following, popup.card.followers) == (False, 0)


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_closing_keeps_the_card_and_unknown_user_shows_an_error(
    session: Session, add_user: AddUser
) -> None:
    add_user(session, "susan")
    session.commit()
    popup = await _popup()

    await _call(UserPopupState.open_card, popup, "susan", True)
    await _call(UserPopupState.open_card, popup, "susan", False)
    assert popup.card is not None and popup.card.username == "susan"

    await _call(UserPopupState.open_card, popup, "ghost", True)
    assert popup.card is None
    assert popup.loading_username == "ghost"
    assert popup.error != ""


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_signed_out_follow_goes_to_login(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    token = session_token(session, john)
    popup = await _popup(token=token, path="/explore")
    await _call(UserPopupState.open_card, popup, "susan", True)

    # The session ends (logout in another tab) while the card is open.
    popup.router = RouterData.from_router_data(
        {"headers": {"origin": "http://localhost:3000"}, "asPath": "/explore"}
    )
    result = await _call(UserPopupState.toggle_follow, popup)
    assert "/login?next=%2Fexplore" in str(result)
    session.expire_all()
    assert not is_following(session, follower_id=john.id, followed_id=susan.id)


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_own_card_has_nothing_to_toggle(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    session.commit()
    popup = await _popup(token=session_token(session, john))
    await _call(UserPopupState.open_card, popup, "john", True)
    assert popup.card is not None and popup.card.is_self
    assert await _call(UserPopupState.toggle_follow, popup) is None
    assert popup.card.followers == 0


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_domain_error_is_shown_in_the_card(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    popup = await _popup(token=session_token(session, john))
    await _call(UserPopupState.open_card, popup, "susan", True)
    session.delete(susan)  # gone while the card was open
    session.commit()

    assert await _call(UserPopupState.toggle_follow, popup) is None
    assert popup.error != ""
    assert popup.loading_username == "susan"


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_follow_back_from_own_profile_updates_its_counts(
    session: Session, add_user: AddUser
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    follow(session, follower_id=susan.id, followed_id=john.id)
    session.commit()
    popup = await _popup(token=session_token(session, john), path="/user/john?tab=followers")
    profile = await popup.get_state(ProfileState)
    profile.profile = UserPublic.of(john)
    profile.loaded, profile.followers_count, profile.following_count = True, 1, 0

    await _call(UserPopupState.open_card, popup, "susan", True)
    await _call(UserPopupState.toggle_follow, popup)
    assert (profile.followers_count, profile.following_count) == (1, 1)
