"""The follow graph (the tutorial's test_follow, adapted to the services)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from microblog.models import User
from microblog.schemas import Page, UserPublic
from microblog.services.errors import Invalid, NotFound
from microblog.services.follows import (
    follow,
    follow_counts,
    followed_ids,
    is_following,
    list_followers,
    list_following,
    unfollow,
)
from microblog.services.profile import follow_from_profile
from microblog.services.user_popup import follow_from_card

AddUser = Callable[..., User]


def _names(page: Page[UserPublic]) -> list[str]:
    return [u.username for u in page.items]


def test_follow(session: Session, make_user: Callable[..., User]) -> None:
    john = make_user(session, "john")
    susan = make_user(session, "susan")
    session.commit()
    assert follow_counts(session, user_id=john.id) == (0, 0)
    assert _names(list_following(session, user_id=john.id, page=1, per_page=10)) == []
    assert _names(list_followers(session, user_id=john.id, page=1, per_page=10)) == []

    assert follow(session, follower_id=john.id, followed_id=susan.id) is True
    session.commit()
    assert is_following(session, follower_id=john.id, followed_id=susan.id)
    assert not is_following(session, follower_id=susan.id, followed_id=john.id)
    assert follow_counts(session, user_id=john.id) == (0, 1)  # (followers, following)
    assert follow_counts(session, user_id=susan.id) == (1, 0)
    assert _names(list_following(session, user_id=john.id, page=1, per_page=10)) == ["susan"]
    assert _names(list_followers(session, user_id=susan.id, page=1, per_page=10)) == ["john"]

    assert unfollow(session, follower_id=john.id, followed_id=susan.id) is True
    session.commit()
    assert not is_following(session, follower_id=john.id, followed_id=susan.id)
    assert follow_counts(session, user_id=john.id) == (0, 0)
    assert follow_counts(session, user_id=susan.id) == (0, 0)
    assert _names(list_followers(session, user_id=susan.id, page=1, per_page=10)) == []


def test_follow_twice_is_idempotent(session: Session, add_user: AddUser) -> None:
    """A double click must not fail or count twice."""
    john, susan = add_user(session, "john"), add_user(session, "susan")
    assert follow(session, follower_id=john.id, followed_id=susan.id) is True
    assert follow(session, follower_id=john.id, followed_id=susan.id) is False
    session.commit()
    assert follow_counts(session, user_id=susan.id) == (1, 0)


def test_cannot_follow_or_unfollow_yourself(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    with pytest.raises(Invalid) as caught:
        follow(session, follower_id=john.id, followed_id=john.id)
    assert "user" in caught.value.errors
    with pytest.raises(Invalid):
        unfollow(session, follower_id=john.id, followed_id=john.id)
    assert follow_counts(session, user_id=john.id) == (0, 0)


def test_unfollow_when_not_following(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    assert unfollow(session, follower_id=john.id, followed_id=susan.id) is False
    follow(session, follower_id=susan.id, followed_id=john.id)
    # The reverse link exists; it is not the one being removed.
    assert unfollow(session, follower_id=john.id, followed_id=susan.id) is False
    assert is_following(session, follower_id=susan.id, followed_id=john.id)


def test_follow_unknown_user(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    with pytest.raises(NotFound):
        follow(session, follower_id=john.id, followed_id=9999)


def test_unfollow_unknown_user(session: Session, add_user: AddUser) -> None:
    """As for following, so that the API answers 404 from the service alone."""
    john = add_user(session, "john")
    with pytest.raises(NotFound):
        unfollow(session, follower_id=john.id, followed_id=9999)


def test_following_from_the_profile_answers_its_new_counts(
    session: Session, add_user: AddUser
) -> None:
    john, susan, tom = (
        add_user(session, "john"),
        add_user(session, "susan"),
        add_user(session, "tom"),
    )
    follow(session, follower_id=tom.id, followed_id=susan.id)
    follow(session, follower_id=susan.id, followed_id=tom.id)
    session.commit()
    counts = follow_from_profile(session, viewer_id=john.id, user_id=susan.id, following=True)
    assert counts == (2, 1)  # susan's followers (tom, john) and following (tom)
    assert follow_from_profile(session, viewer_id=john.id, user_id=susan.id, following=False) == (
        1,
        1,
    )
    assert not is_following(session, follower_id=john.id, followed_id=susan.id)


def test_following_from_a_card_reads_the_card_and_the_readers_counts_again(
    session: Session, add_user: AddUser
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    follow(session, follower_id=susan.id, followed_id=john.id)
    session.commit()
    after = follow_from_card(
        session, viewer_id=john.id, user_id=susan.id, username="susan", following=True
    )
    assert (after.card.username, after.card.followers, after.card.is_following) == (
        "susan",
        1,
        True,
    )
    assert after.viewer_counts == (1, 1)  # john: followed by susan, following susan
    after = follow_from_card(
        session, viewer_id=john.id, user_id=susan.id, username="susan", following=False
    )
    assert (after.card.followers, after.card.is_following, after.viewer_counts) == (
        0,
        False,
        (1, 0),
    )


def test_follow_lists_newest_first_and_paginate(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    others = [add_user(session, f"user{i}") for i in range(5)]
    for other in others:
        follow(session, follower_id=john.id, followed_id=other.id)
        follow(session, follower_id=other.id, followed_id=john.id)
        session.commit()
    assert sorted(followed_ids(session, user_id=john.id)) == [u.id for u in others]

    first = list_following(session, user_id=john.id, page=1, per_page=3, count=True)
    second = list_following(session, user_id=john.id, page=2, per_page=3, count=True)
    assert (first.total, first.total_pages, first.has_next, second.has_next) == (5, 2, True, False)
    # Ties on `created` fall back to id: newest-first either way.
    assert _names(first) + _names(second) == [f"user{i}" for i in reversed(range(5))]
    followers = list_followers(session, user_id=john.id, page=1, per_page=10)
    assert sorted(_names(followers)) == sorted(u.username for u in others)
    assert followers.total is None


def test_deleting_a_user_removes_their_follows(session: Session, add_user: AddUser) -> None:
    """ON DELETE CASCADE: a removed account leaves no dangling links behind."""
    john, susan = add_user(session, "john"), add_user(session, "susan")
    follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    session.delete(susan)
    session.commit()
    session.expire_all()
    assert follow_counts(session, user_id=john.id) == (0, 0)
