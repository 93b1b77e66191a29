"""The safety rules added for the web UI (issue 23, "for every user"): the Explore and tag
"N new posts" bars leave out blocked and muted authors, notifications from someone later
blocked or muted leave the list and the unread badge, a profile of someone who blocks the
reader shows no posts or people, user search leaves out blocks either way, and the flags the
profile menu reads. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from microblog.models import User
from microblog.services import follows, new_posts, notifications, posts, safety, search, tags
from microblog.services.profile import read_profile

AddUser = Callable[..., User]


@pytest.fixture(autouse=True)
def _builtin_search() -> object:
    search.use_external(None)
    yield
    search.reset_external()


@pytest.fixture
def trio(session: Session, add_user: AddUser) -> tuple[User, User, User]:
    ann, bob, cat = (add_user(session, name) for name in ("ann", "bob", "cat"))
    session.commit()
    return ann, bob, cat


def _post(session: Session, user: User, body: str) -> int:
    post = posts.create_post(session, author_id=user.id or 0, body=body)
    session.commit()
    return post.id or 0


def test_explore_bar_leaves_out_blocked_and_muted_authors(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    since = new_posts.latest_post_id(session)
    _post(session, bob, "bob writes")
    _post(session, cat, "cat writes")
    assert new_posts.count_new_explore_posts(session, since_id=since, viewer_id=ann.id) == 2
    safety.block_user(session, blocker_id=bob.id, blocked_id=ann.id)  # bob blocks ann
    safety.mute_user(session, muter_id=ann.id, muted_id=cat.id)
    session.commit()
    assert new_posts.count_new_explore_posts(session, since_id=since, viewer_id=ann.id) == 0
    # bob does not see ann's new post either (his own and cat's only); a visitor sees each.
    _post(session, ann, "ann writes")
    assert new_posts.count_new_explore_posts(session, since_id=since, viewer_id=bob.id) == 2
    assert new_posts.count_new_explore_posts(session, since_id=since) == 3


def test_tag_bar_leaves_out_blocked_and_muted_authors(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    since = new_posts.latest_post_id(session)
    _post(session, bob, "#news from bob")
    _post(session, cat, "#news from cat")
    count = tags.count_new_tag_posts
    assert count(session, name="news", since_id=since, viewer_id=ann.id) == 2
    safety.block_user(session, blocker_id=ann.id, blocked_id=bob.id)
    safety.mute_user(session, muter_id=ann.id, muted_id=cat.id, seconds=3600)
    session.commit()
    assert count(session, name="news", since_id=since, viewer_id=ann.id) == 0
    assert count(session, name="news", since_id=since, viewer_id=cat.id) == 2
    assert count(session, name="news", since_id=since) == 2


def _lines(session: Session, user: User) -> list[str]:
    page = notifications.list_notifications(session, user_id=user.id or 0, page=1, per_page=50)
    return [row.actor_username for row in page.items]


def test_old_notifications_from_someone_later_blocked_or_muted_are_hidden(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    _post(session, bob, "hello @ann")
    _post(session, cat, "hi @ann")
    follows.follow(session, follower_id=bob.id, followed_id=ann.id)
    session.commit()
    assert sorted(set(_lines(session, ann))) == ["bob", "cat"]
    assert notifications.unread_count(session, user_id=ann.id) == 3
    safety.block_user(session, blocker_id=ann.id, blocked_id=bob.id)
    safety.mute_user(session, muter_id=ann.id, muted_id=cat.id)
    session.commit()
    assert _lines(session, ann) == []
    assert notifications.unread_count(session, user_id=ann.id) == 0
    assert notifications.unread_counts(session, user_ids=[ann.id or 0]) == {}
    # Undoing brings them back (the rows were never deleted).
    safety.unblock_user(session, blocker_id=ann.id, blocked_id=bob.id)
    safety.unmute_user(session, muter_id=ann.id, muted_id=cat.id)
    session.commit()
    assert sorted(set(_lines(session, ann))) == ["bob", "cat"]
    assert notifications.unread_count(session, user_id=ann.id) == 3


def test_a_mute_that_keeps_notifications_keeps_old_lines(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, _bob, cat = trio
    _post(session, cat, "hi @ann")
    safety.mute_user(session, muter_id=ann.id, muted_id=cat.id, hide_notifications=False)
    session.commit()
    assert _lines(session, ann) == ["cat"]


def test_profile_of_someone_who_blocks_the_reader(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, _cat = trio
    _post(session, bob, "bob's post")
    follows.follow(session, follower_id=ann.id, followed_id=bob.id)
    session.commit()

    def view(viewer: User, tab: str = "posts") -> object:
        return read_profile(
            session, username="bob", viewer_id=viewer.id, tab=tab, page=1, per_page=20
        )

    assert len(view(ann).posts) == 1  # type: ignore[attr-defined]
    safety.block_user(session, blocker_id=bob.id, blocked_id=ann.id)
    session.commit()
    seen = view(ann)
    assert seen.blocks_viewer and not seen.blocked  # type: ignore[attr-defined]
    assert seen.posts == []  # type: ignore[attr-defined]
    assert view(ann, "followers").people == []  # type: ignore[attr-defined]
    assert seen.user.username == "bob"  # type: ignore[attr-defined]  # the account exists
    own = read_profile(session, username="ann", viewer_id=bob.id, tab="posts", page=1, per_page=9)
    assert own.blocked and not own.blocks_viewer
    visitor = read_profile(session, username="bob", viewer_id=None, tab="posts", page=1, per_page=9)
    assert len(visitor.posts) == 1 and not visitor.blocks_viewer


def test_profile_hides_posts_of_someone_the_reader_mutes(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, _cat = trio
    _post(session, bob, "bob's post")
    safety.mute_user(session, muter_id=ann.id, muted_id=bob.id, seconds=86400)
    session.commit()
    seen = read_profile(session, username="bob", viewer_id=ann.id, tab="posts", page=1, per_page=9)
    assert seen.muted and seen.posts == []
    assert safety.is_muting(session, muter_id=ann.id, muted_id=bob.id)
    safety.unmute_user(session, muter_id=ann.id, muted_id=bob.id)
    session.commit()
    assert not safety.is_muting(session, muter_id=ann.id, muted_id=bob.id)


def test_user_search_leaves_out_blocks_either_way(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio

    def names(viewer: User) -> list[str]:
        return [
            hit.username
            for hit in search.search_users(session, q="bob cat ann", viewer_id=viewer.id)
        ]

    assert sorted(names(ann)) == ["ann", "bob", "cat"]
    safety.block_user(session, blocker_id=bob.id, blocked_id=ann.id)
    session.commit()
    assert sorted(names(ann)) == ["ann", "cat"]  # bob blocks ann
    assert sorted(names(bob)) == ["bob", "cat"]  # and bob no longer finds ann
    assert sorted(names(cat)) == ["ann", "bob", "cat"]
    assert len(search.search_users(session, q="bob")) == 1  # a visitor
