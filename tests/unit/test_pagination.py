"""Pagination edges shared by every feed and list (UI and API alike)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from microblog.models import Post, User, utcnow
from microblog.services.pagination import MAX_PAGE, clamp_page, page_window, paginate
from microblog.services.posts import explore_posts, user_posts
from microblog.services.timeline import home_timeline

AddUser = Callable[..., User]
PER_PAGE = 3


def _add_posts(session: Session, user: User, count: int, *, start: int = 0) -> list[Post]:
    """`count` posts by `user`, one second apart, the last one newest."""
    base = utcnow() - timedelta(hours=1)
    posts = [
        Post(body=f"{user.username} {n}", user_id=user.id, timestamp=base + timedelta(seconds=n))
        for n in range(start, start + count)
    ]
    session.add_all(posts)
    session.commit()
    return posts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("1.5", 1),
        ("-3", 1),
        ("0", 1),
        (0, 1),
        (-1, 1),
        ("2", 2),
        (7, 7),
        ("999999999", MAX_PAGE),
        (10**12, MAX_PAGE),
    ],
)
def test_clamp_page(raw: int | str | None, expected: int) -> None:
    """Page numbers come from the URL: nothing a visitor types may crash a query or ask the
    database for a billion-row offset."""
    assert clamp_page(raw) == expected


def test_page_window_fetches_one_extra_row() -> None:
    assert page_window(1, 25) == (0, 26)
    assert page_window(3, 10) == (20, 11)


def test_exactly_one_page(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    _add_posts(session, john, PER_PAGE)
    page = user_posts(session, user_id=john.id, page=1, per_page=PER_PAGE)
    assert len(page.items) == PER_PAGE
    assert page.has_prev is False
    assert page.has_next is False
    assert page.total is None


def test_one_more_than_a_page(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    _add_posts(session, john, PER_PAGE + 1)
    first = user_posts(session, user_id=john.id, page=1, per_page=PER_PAGE)
    second = user_posts(session, user_id=john.id, page=2, per_page=PER_PAGE)
    assert (len(first.items), first.has_prev, first.has_next) == (PER_PAGE, False, True)
    assert (len(second.items), second.has_prev, second.has_next) == (1, True, False)
    assert second.items[0].body == "john 0"  # the oldest comes last
    assert {r.id for r in first.items}.isdisjoint({r.id for r in second.items})


@pytest.mark.parametrize("feed", ["explore", "user", "home"])
def test_page_beyond_the_end_is_empty(session: Session, add_user: AddUser, feed: str) -> None:
    john = add_user(session, "john")
    _add_posts(session, john, 2)
    if feed == "explore":
        page = explore_posts(session, page=5, per_page=PER_PAGE)
    elif feed == "user":
        page = user_posts(session, user_id=john.id, page=5, per_page=PER_PAGE)
    else:
        page = home_timeline(session, user_id=john.id, page=5, per_page=PER_PAGE)
    assert page.items == []
    assert page.has_next is False
    assert page.has_prev is True
    assert page.page == 5


def test_newest_first_with_ties_broken_by_id(session: Session, add_user: AddUser) -> None:
    """Posts in the same instant still have one stable order, so pages never repeat or skip."""
    john, susan = add_user(session, "john"), add_user(session, "susan")
    same = utcnow() - timedelta(minutes=5)
    older = same - timedelta(minutes=1)
    rows = [
        Post(body="tie a", user_id=john.id, timestamp=same),
        Post(body="old", user_id=susan.id, timestamp=older),
        Post(body="tie b", user_id=susan.id, timestamp=same),
        Post(body="tie c", user_id=john.id, timestamp=same),
        Post(body="new", user_id=john.id, timestamp=same + timedelta(microseconds=1)),
    ]
    for row in rows:  # one at a time: ids follow insertion order
        session.add(row)
        session.flush()
    session.commit()

    everyone = explore_posts(session, page=1, per_page=10)
    assert [r.body for r in everyone.items] == ["new", "tie c", "tie b", "tie a", "old"]
    ids = [r.id for r in everyone.items]
    assert ids[1] > ids[2] > ids[3]

    # Walking the pages one post at a time yields the same order with no repeats.
    walked = [explore_posts(session, page=n, per_page=1).items for n in range(1, 7)]
    assert [r.body for items in walked for r in items] == [r.body for r in everyone.items]

    johns = user_posts(session, user_id=john.id, page=1, per_page=10)
    assert [r.body for r in johns.items] == ["new", "tie c", "tie a"]
    assert all(r.author_username == "john" for r in johns.items)


def test_explore_shows_everyone_and_user_posts_only_one(
    session: Session, add_user: AddUser
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    _add_posts(session, john, 2)
    _add_posts(session, susan, 2, start=10)
    explore = explore_posts(session, page=1, per_page=10)
    assert [r.body for r in explore.items] == ["susan 11", "susan 10", "john 1", "john 0"]
    assert [r.author_username for r in explore.items] == ["susan", "susan", "john", "john"]
    susans = user_posts(session, user_id=susan.id, page=1, per_page=10)
    assert [r.body for r in susans.items] == ["susan 11", "susan 10"]
    assert user_posts(session, user_id=999, page=1, per_page=10).items == []


def test_paginate_counts_only_when_asked(session: Session, add_user: AddUser) -> None:
    """Feeds never pay for a COUNT; the API asks for one explicitly."""
    john = add_user(session, "john")
    _add_posts(session, john, 7)
    query = select(Post).where(Post.user_id == john.id).order_by(col(Post.timestamp).desc())

    uncounted = paginate(session, query, page=1, per_page=PER_PAGE, to_item=lambda p: p.body)
    assert uncounted.total is None and uncounted.total_pages is None
    assert uncounted.items == ["john 6", "john 5", "john 4"]

    counted = paginate(
        session, query, page=3, per_page=PER_PAGE, to_item=lambda p: p.body, count=True
    )
    assert counted.total == 7
    assert counted.total_pages == 3
    assert counted.items == ["john 0"]
    assert (counted.has_prev, counted.has_next) == (True, False)

    empty = paginate(
        session,
        select(Post).where(Post.user_id == -1).order_by(col(Post.id)),
        page=1,
        per_page=PER_PAGE,
        to_item=lambda p: p,
        count=True,
    )
    assert (empty.items, empty.total, empty.total_pages) == ([], 0, 1)
