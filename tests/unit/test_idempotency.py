"""services/idempotency.py and services/timeline_markers.py on SQLite and PostgreSQL: one post
per (user, key) within the hour, a key again after the hour posts again, another user's same
key is theirs, the sweep forgets old keys; the home marker is stored per user and counts its
versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, func, select

from microblog.models import Post, StatusIdempotency, User, row_id, utcnow
from microblog.services import idempotency, posts, timeline_markers


def _count(session: Session, author: User) -> int:
    return session.exec(
        select(func.count()).select_from(Post).where(Post.user_id == row_id(author))
    ).one()


def test_one_post_per_key_and_user(session: Session, add_user: Callable[..., User]) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    first, new = idempotency.create_post_once(
        session, idempotency_key="k-1", author_id=row_id(ann), body="hello"
    )
    again, new_again = idempotency.create_post_once(
        session, idempotency_key=" k-1 ", author_id=row_id(ann), body="hello (resent)"
    )
    session.commit()
    assert new and not new_again and again == first
    assert _count(session, ann) == 1
    theirs, theirs_new = idempotency.create_post_once(
        session, idempotency_key="k-1", author_id=row_id(bob), body="hello"
    )
    assert theirs_new and theirs != first and _count(session, bob) == 1
    other, _ = idempotency.create_post_once(
        session, idempotency_key="k-2", author_id=row_id(ann), body="another"
    )
    none_a, _ = idempotency.create_post_once(
        session, idempotency_key=None, author_id=row_id(ann), body="no key"
    )
    none_b, _ = idempotency.create_post_once(
        session, idempotency_key="", author_id=row_id(ann), body="no key"
    )
    assert len({first, other, none_a, none_b}) == 4


def test_a_key_holds_an_hour_and_the_sweep_forgets_it(
    session: Session, add_user: Callable[..., User]
) -> None:
    ann = add_user(session, "ann")
    past = utcnow() - idempotency.KEEP - timedelta(seconds=5)
    first, _ = idempotency.create_post_once(
        session, idempotency_key="old", author_id=row_id(ann), body="then", now=past
    )
    later, new = idempotency.create_post_once(
        session, idempotency_key="old", author_id=row_id(ann), body="now"
    )
    assert new and later != first
    idempotency.create_post_once(
        session, idempotency_key="stale", author_id=row_id(ann), body="x", now=past
    )
    session.commit()
    assert idempotency.delete_expired_keys(session) == 1
    kept = session.exec(select(StatusIdempotency.post_id)).all()
    assert kept == [later]
    posts.delete_post(session, post_id=later, user_id=row_id(ann))
    session.commit()
    assert session.exec(select(StatusIdempotency)).all() == []  # gone with its post


def test_home_marker_per_user_with_versions(
    session: Session, add_user: Callable[..., User]
) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    assert timeline_markers.get_markers(session, user_id=row_id(ann)) == {}
    timeline_markers.set_marker(session, user_id=row_id(ann), timeline="home", last_read_id=7)
    timeline_markers.set_marker(session, user_id=row_id(ann), timeline="home", last_read_id=3)
    timeline_markers.set_marker(session, user_id=row_id(bob), timeline="home", last_read_id=9)
    session.commit()
    mine = timeline_markers.get_markers(session, user_id=row_id(ann))["home"]
    assert (mine.last_read_id, mine.version) == (3, 2)  # a client may move it back
    theirs = timeline_markers.get_markers(session, user_id=row_id(bob), timelines=["home"])
    assert (theirs["home"].last_read_id, theirs["home"].version) == (9, 1)
    assert timeline_markers.get_markers(session, user_id=row_id(ann), timelines=["x"]) == {}
