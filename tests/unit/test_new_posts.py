"""The "N new posts" bar: the mark a feed counts from, the capped counts for explore and home, and
which readers have an author in their home feed."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert
from sqlmodel import Session

from microblog.models import Post, User
from microblog.services.follows import follow
from microblog.services.new_posts import (
    COUNT_CAP,
    count_new_explore_posts,
    count_new_home_posts,
    latest_post_id,
    readers_of_author,
)
from microblog.services.posts import create_post

AddUser = Callable[..., User]


def _post(session: Session, author: User, body: str = "hello") -> int:
    post = create_post(session, author_id=author.id, body=body)
    session.commit()
    assert post.id is not None
    return post.id


def _bulk_posts(session: Session, author: User, n: int) -> None:
    session.execute(insert(Post), [{"body": f"p{i}", "user_id": author.id} for i in range(n)])
    session.commit()


# -- latest_post_id ---------------------------------------------------------------------------


def test_latest_post_id(session: Session, add_user: AddUser) -> None:
    assert latest_post_id(session) == 0  # no posts yet
    john, susan = add_user(session, "john"), add_user(session, "susan")
    first = _post(session, john)
    assert latest_post_id(session) == first
    second = _post(session, susan)
    assert second > first
    assert latest_post_id(session) == second  # anyone's newest, not the reader's


# -- explore ----------------------------------------------------------------------------------


def test_count_new_explore_posts(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    _post(session, john, "before")
    mark = latest_post_id(session)
    assert count_new_explore_posts(session, since_id=mark) == 0

    ids = [_post(session, john), _post(session, susan), _post(session, john)]
    assert count_new_explore_posts(session, since_id=mark) == 3
    assert count_new_explore_posts(session, since_id=ids[0]) == 2
    assert count_new_explore_posts(session, since_id=ids[-1]) == 0
    assert count_new_explore_posts(session, since_id=0) == 4


def test_count_new_explore_posts_stops_at_cap_plus_one(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    mark = latest_post_id(session)
    _bulk_posts(session, john, COUNT_CAP)
    assert count_new_explore_posts(session, since_id=mark) == COUNT_CAP  # exact up to the cap
    _bulk_posts(session, john, 5)
    assert count_new_explore_posts(session, since_id=mark) == COUNT_CAP + 1


# -- home -------------------------------------------------------------------------------------


def test_count_new_home_posts_counts_own_and_followed_only(
    session: Session, add_user: AddUser
) -> None:
    john, susan, mary = (
        add_user(session, "john"),
        add_user(session, "susan"),
        add_user(session, "mary"),
    )
    follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    _post(session, susan, "old")  # before the mark: not new
    mark = latest_post_id(session)
    assert count_new_home_posts(session, user_id=john.id, since_id=mark) == 0

    _post(session, mary, "not followed")
    assert count_new_home_posts(session, user_id=john.id, since_id=mark) == 0
    assert count_new_explore_posts(session, since_id=mark) == 1  # explore sees it

    _post(session, susan, "followed")
    _post(session, john, "own")
    assert count_new_home_posts(session, user_id=john.id, since_id=mark) == 2
    # Following is one-way: susan's home feed does not include john's posts.
    assert count_new_home_posts(session, user_id=susan.id, since_id=mark) == 1


def test_count_new_home_posts_sees_a_follow_made_since(session: Session, add_user: AddUser) -> None:
    john, mary = add_user(session, "john"), add_user(session, "mary")
    mark = latest_post_id(session)
    _post(session, mary, "one")
    _post(session, mary, "two")
    assert count_new_home_posts(session, user_id=john.id, since_id=mark) == 0
    follow(session, follower_id=john.id, followed_id=mary.id)
    session.commit()
    assert count_new_home_posts(session, user_id=john.id, since_id=mark) == 2


def test_count_new_home_posts_stops_at_cap_plus_one(session: Session, add_user: AddUser) -> None:
    john, susan, mary = (
        add_user(session, "john"),
        add_user(session, "susan"),
        add_user(session, "mary"),
    )
    follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    mark = latest_post_id(session)
    _bulk_posts(session, mary, COUNT_CAP + 20)  # not followed: must not fill the cap
    _bulk_posts(session, susan, COUNT_CAP - 1)
    assert count_new_home_posts(session, user_id=john.id, since_id=mark) == COUNT_CAP - 1
    _bulk_posts(session, john, 1)
    assert count_new_home_posts(session, user_id=john.id, since_id=mark) == COUNT_CAP
    _bulk_posts(session, susan, 10)
    assert count_new_home_posts(session, user_id=john.id, since_id=mark) == COUNT_CAP + 1


# -- readers_of_author ------------------------------------------------------------------------


def test_readers_of_author(session: Session, add_user: AddUser) -> None:
    author = add_user(session, "author")
    fan1, fan2, stranger, fan_of_fan = (
        add_user(session, name) for name in ("fan1", "fan2", "stranger", "fanoffan")
    )
    for fan in (fan1, fan2):
        follow(session, follower_id=fan.id, followed_id=author.id)
    follow(session, follower_id=fan_of_fan.id, followed_id=fan1.id)
    follow(session, follower_id=author.id, followed_id=stranger.id)  # the reverse direction
    session.commit()

    everyone = {author.id, fan1.id, fan2.id, stranger.id, fan_of_fan.id}
    assert readers_of_author(session, author_id=author.id, candidates=everyone) == {
        author.id,
        fan1.id,
        fan2.id,
    }
    # Only the candidates asked about: a follower with no open tab is not returned.
    assert readers_of_author(session, author_id=author.id, candidates={fan1.id, stranger.id}) == {
        fan1.id
    }
    # The author reads their own home feed.
    assert readers_of_author(session, author_id=author.id, candidates={author.id}) == {author.id}
    assert readers_of_author(session, author_id=author.id, candidates=set()) == set()
    assert readers_of_author(session, author_id=stranger.id, candidates=everyone) == {
        stranger.id,
        author.id,
    }
