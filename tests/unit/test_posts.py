"""Posts and feeds: validation, the tutorial's followed-posts graph, and the two home-timeline
plans checked against a brute-force answer."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select

import microblog.services.posts as posts_service
from microblog.models import Follow, Post, User, utcnow
from microblog.schemas import Page, PostRow
from microblog.services.errors import Invalid
from microblog.services.follows import follow
from microblog.services.pagination import page_window
from microblog.services.posts import (
    _ids_merging_authors,
    _ids_scanning_recent_posts,
    count_user_posts,
    create_post,
    home_timeline,
)

AddUser = Callable[..., User]


# -- create_post ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\t ", "x" * 141, " " + "y" * 141 + " "])
def test_create_post_refuses_empty_or_too_long(
    session: Session, add_user: AddUser, body: str
) -> None:
    john = add_user(session, "john")
    with pytest.raises(Invalid) as caught:
        create_post(session, author_id=john.id, body=body)
    assert set(caught.value.errors) == {"body"}
    assert count_user_posts(session, user_id=john.id) == 0


def test_create_post_accepts_140_and_strips(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    full = create_post(session, author_id=john.id, body="x" * 140)
    padded = create_post(session, author_id=john.id, body="  hello  \n", language="")
    tagged = create_post(session, author_id=john.id, body="hola", language="es")
    session.commit()
    assert full.id is not None and full.body == "x" * 140
    assert padded.body == "hello"
    assert padded.language is None  # empty means unknown, not the language ""
    assert tagged.language == "es"
    assert count_user_posts(session, user_id=john.id) == 3
    # Surrounding whitespace does not count towards the limit.
    assert create_post(session, author_id=john.id, body=" " + "z" * 140 + " ").body == "z" * 140


# -- the tutorial's followed-posts test -------------------------------------------------------


def _bodies(page: Page[PostRow]) -> list[str]:
    return [row.body for row in page.items]


def test_follow_posts(session: Session, make_user: Callable[..., User]) -> None:
    """john follows susan & david, susan follows mary, mary follows david: each home feed holds
    the user's own posts and their followees', newest first."""
    john, susan, mary, david = (make_user(session, n) for n in ("john", "susan", "mary", "david"))
    now = utcnow()
    for user, seconds in ((john, 1), (susan, 4), (mary, 3), (david, 2)):
        session.add(
            Post(
                body=f"post from {user.username}",
                user_id=user.id,
                timestamp=now + timedelta(seconds=seconds),
            )
        )
    follow(session, follower_id=john.id, followed_id=susan.id)
    follow(session, follower_id=john.id, followed_id=david.id)
    follow(session, follower_id=susan.id, followed_id=mary.id)
    follow(session, follower_id=mary.id, followed_id=david.id)
    session.commit()

    expected = [
        (john, ["susan", "david", "john"]),
        (susan, ["susan", "mary"]),
        (mary, ["mary", "david"]),
        (david, ["david"]),
    ]
    for user, authors in expected:
        page = home_timeline(session, user_id=user.id, page=1, per_page=10)
        assert _bodies(page) == [f"post from {a}" for a in authors], user.username
        assert [row.author_username for row in page.items] == authors
        assert not page.has_next and not page.has_prev


@pytest.mark.parametrize("plan", ["scan", "merge"])
def test_follow_posts_same_under_either_plan(
    session: Session,
    add_user: AddUser,
    monkeypatch: pytest.MonkeyPatch,
    plan: str,
) -> None:
    """Force each home-timeline plan in turn: the small graph must read the same."""
    john, susan, mary, david = (add_user(session, n) for n in ("john", "susan", "mary", "david"))
    now = utcnow()
    for user, seconds in ((john, 1), (susan, 4), (mary, 3), (david, 2)):
        session.add(
            Post(body=user.username, user_id=user.id, timestamp=now + timedelta(seconds=seconds))
        )
    for a, b in ((john, susan), (john, david), (susan, mary), (mary, david)):
        session.add(Follow(follower_id=a.id, followed_id=b.id))
    session.commit()
    chosen = _ids_scanning_recent_posts if plan == "scan" else _ids_merging_authors
    monkeypatch.setattr(posts_service, "_ids_scanning_recent_posts", chosen)
    monkeypatch.setattr(posts_service, "_ids_merging_authors", chosen)

    feeds = {
        u.username: _bodies(home_timeline(session, user_id=u.id, page=1, per_page=10))
        for u in (john, susan, mary, david)
    }
    assert feeds == {
        "john": ["susan", "david", "john"],
        "susan": ["susan", "mary"],
        "mary": ["mary", "david"],
        "david": ["david"],
    }


# -- both plans against brute force on a random graph -----------------------------------------


def _random_site(session: Session, password_hash: str, seed: int = 1234) -> dict[int, set[int]]:
    """30 users with 0-14 followees each and 300 posts on few distinct timestamps (so many ties
    that only the id can order them). Returns each user's author set (self + followees)."""
    rng = random.Random(seed)
    users = [
        User(username=f"user{i}", email=f"user{i}@example.com", password_hash=password_hash)
        for i in range(30)
    ]
    session.add_all(users)
    session.flush()
    ids = [u.id for u in users]
    authors: dict[int, set[int]] = {}
    follows = []
    for uid in ids:
        followees = rng.sample([i for i in ids if i != uid], rng.randint(0, 14))
        authors[uid] = {uid, *followees}
        follows += [{"follower_id": uid, "followed_id": f, "created": utcnow()} for f in followees]
    session.execute(insert(Follow), follows)
    base = utcnow() - timedelta(days=1)
    session.execute(
        insert(Post),
        [
            {
                "body": f"post {n}",
                "user_id": rng.choice(ids[:-1]),  # the last user never posts
                "timestamp": base + timedelta(seconds=rng.randint(0, 60)),
            }
            for n in range(300)
        ],
    )
    session.commit()
    return authors


def test_home_timeline_plans_agree_with_brute_force(
    session: Session, password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan is picked by `len(authors)**2 > max(user id)`; whichever runs, every page of
    every user's feed must equal the obvious answer, ties broken by id, offsets included."""
    authors = _random_site(session, password_hash)
    everything = [(p.timestamp, p.id, p.user_id) for p in session.exec(select(Post)).all()]
    everything.sort(reverse=True)

    plans_used: list[str] = []
    real_scan, real_merge = _ids_scanning_recent_posts, _ids_merging_authors

    def spy_scan(*args: object, **kwargs: object) -> list[int]:
        plans_used.append("scan")
        return real_scan(*args, **kwargs)

    def spy_merge(*args: object, **kwargs: object) -> list[int]:
        plans_used.append("merge")
        return real_merge(*args, **kwargs)

    monkeypatch.setattr(posts_service, "_ids_scanning_recent_posts", spy_scan)
    monkeypatch.setattr(posts_service, "_ids_merging_authors", spy_merge)

    per_page = 7
    for uid, wanted in authors.items():
        expected = [pid for _, pid, author in everything if author in wanted]
        author_list = sorted(wanted)
        last = max(1, -(-len(expected) // per_page))
        for page in sorted({1, 2, 3, last - 1, last, last + 1} - {0}):  # and one past the end
            offset, limit = page_window(page, per_page)
            window = expected[offset : offset + limit]
            assert real_scan(session, author_list, offset, limit) == window, (uid, page)
            assert real_merge(session, author_list, offset, limit) == window, (uid, page)

            feed = home_timeline(session, user_id=uid, page=page, per_page=per_page)
            assert [row.id for row in feed.items] == window[:per_page], (uid, page)
            assert all(row.author_id in wanted for row in feed.items)
            assert feed.has_next == (len(expected) > offset + per_page)
            assert feed.has_prev == (page > 1)

    # The random graph is built so that both plans were exercised through home_timeline.
    assert {"scan", "merge"} <= set(plans_used)
