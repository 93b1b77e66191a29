"""Blocks, mutes, conversation mutes and the "who can message you" setting, checked in each
place the rule must hold: the home timeline (both plans), Explore, a profile, a tag page, a
thread, the built-in search, notifications, follows, messages, likes and boosts, replies and
mentions, and the live home pushes. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.models import Follow, User, utcnow
from microblog.services import (
    follows,
    mail_outbox,
    messages,
    new_posts,
    notifications,
    posts,
    reactions,
    safety,
    search,
    tags,
    threads,
    timeline,
)
from microblog.services.errors import Forbidden, Invalid, NotFound
from tests.unit.test_posts import _statements

AddUser = Callable[..., User]


@pytest.fixture(autouse=True)
def _builtin_search() -> object:
    search.use_external(None)
    yield
    search.reset_external()


def _post(session: Session, user: User, body: str, **kw: object) -> int:
    post = posts.create_post(session, author_id=user.id or 0, body=body, **kw)  # type: ignore[arg-type]
    session.commit()
    return post.id or 0


def _home(session: Session, user: User) -> list[int]:
    page = timeline.home_timeline(session, user_id=user.id or 0, page=1, per_page=50)
    return [row.id for row in page.items]


def _explore(session: Session, viewer: User | None) -> list[int]:
    viewer_id = viewer.id or 0 if viewer else 0
    page = posts.explore_posts(session, page=1, per_page=50, viewer_id=viewer_id)
    return [row.id for row in page.items]


def _kinds(session: Session, user: User) -> list[str]:
    page = notifications.list_notifications(session, user_id=user.id or 0, page=1, per_page=50)
    return [row.kind for row in page.items]


@pytest.fixture
def trio(session: Session, add_user: AddUser) -> tuple[User, User, User]:
    ann, bob, cat = (add_user(session, name) for name in ("ann", "bob", "cat"))
    session.commit()
    return ann, bob, cat


def test_block_ends_follows_both_ways_and_refuses_new_ones(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, _ = trio
    follows.follow(session, follower_id=ann.id, followed_id=bob.id)
    follows.follow(session, follower_id=bob.id, followed_id=ann.id)
    assert safety.block_user(session, blocker_id=ann.id, blocked_id=bob.id) is True
    session.commit()
    assert session.get(Follow, (ann.id, bob.id)) is None
    assert session.get(Follow, (bob.id, ann.id)) is None
    with pytest.raises(Forbidden):
        follows.follow(session, follower_id=bob.id, followed_id=ann.id)
    with pytest.raises(Forbidden):  # nor the blocker, until they unblock
        follows.follow(session, follower_id=ann.id, followed_id=bob.id)
    assert [b.username for b in safety.list_blocks(session, user_id=ann.id)] == ["bob"]
    assert safety.unblock_user(session, blocker_id=ann.id, blocked_id=bob.id) is True
    assert follows.follow(session, follower_id=bob.id, followed_id=ann.id) is True
    with pytest.raises(Invalid):
        safety.block_user(session, blocker_id=ann.id, blocked_id=ann.id)


def test_block_hides_both_ways_in_explore_profile_and_thread(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    by_ann = _post(session, ann, "from ann")
    by_bob = _post(session, bob, "from bob")
    by_cat = _post(session, cat, "from cat")
    reply_of_bob = _post(session, bob, "bob answers cat", reply_to_id=by_cat)
    safety.block_user(session, blocker_id=ann.id, blocked_id=bob.id)
    session.commit()
    assert by_bob not in _explore(session, ann) and by_ann in _explore(session, ann)
    assert by_ann not in _explore(session, bob) and by_bob in _explore(session, bob)
    assert {by_ann, by_bob, by_cat} <= set(_explore(session, cat))
    assert set(_explore(session, None)) >= {by_ann, by_bob}  # visitors: nobody blocks them
    assert (
        posts.user_posts(session, user_id=bob.id, page=1, per_page=10, viewer_id=ann.id).items == []
    )
    assert (
        posts.user_posts(session, user_id=ann.id, page=1, per_page=10, viewer_id=bob.id).items == []
    )
    with pytest.raises(NotFound):
        threads.open_thread(session, post_id=by_bob, viewer_id=ann.id, page=1, per_page=10)
    thread = threads.open_thread(session, post_id=by_cat, viewer_id=ann.id, page=1, per_page=10)
    assert reply_of_bob not in [r.id for r in thread.replies.items]
    thread = threads.open_thread(session, post_id=by_cat, viewer_id=cat.id, page=1, per_page=10)
    assert [r.id for r in thread.replies.items] == [reply_of_bob]
    with pytest.raises(NotFound):
        posts.get_post_row(session, post_id=by_ann, viewer_id=bob.id)


def test_block_and_mute_in_home_timeline_both_plans(
    session: Session, trio: tuple[User, User, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A followed author boosts a blocked user's post: gone from the blocker's home; a muted
    followed author's posts and boosts: gone; the muted still sees the muter's posts."""
    ann, bob, cat = trio
    follows.follow(session, follower_id=ann.id, followed_id=cat.id)
    follows.follow(session, follower_id=bob.id, followed_id=ann.id)
    by_bob = _post(session, bob, "bob speaks")
    by_cat = _post(session, cat, "cat speaks")
    by_ann = _post(session, ann, "ann speaks")
    boost = reactions.boost_post(session, user_id=cat.id, post_id=by_bob)
    session.commit()
    assert boost.boosted
    for plan_authors in (10_000, 0):  # merge, then scan (every reader beyond the merge's size)
        monkeypatch.setattr(timeline, "_max_merge_authors", lambda *_a, n=plan_authors: n)
        timeline._plans_seen.clear()
        safety.block_user(session, blocker_id=ann.id, blocked_id=bob.id)
        session.commit()
        home = _home(session, ann)
        assert by_bob not in home and by_cat in home and by_ann in home
        # The block ended bob's follow of ann: her posts left his home feed too.
        assert by_ann not in _home(session, bob)
        safety.unblock_user(session, blocker_id=ann.id, blocked_id=bob.id)
        safety.mute_user(session, muter_id=ann.id, muted_id=cat.id)
        session.commit()
        home = _home(session, ann)
        assert by_cat not in home and by_bob not in home and by_ann in home
        follows.follow(session, follower_id=cat.id, followed_id=ann.id)
        session.commit()
        assert by_ann in _home(session, cat)  # a mute changes nothing for the muted
        safety.unmute_user(session, muter_id=ann.id, muted_id=cat.id)
        session.commit()
        assert {by_cat, by_ann} <= set(_home(session, ann))


def test_an_expired_mute_no_longer_hides(session: Session, trio: tuple[User, User, User]) -> None:
    ann, bob, _ = trio
    by_bob = _post(session, bob, "bob again")
    safety.mute_user(
        session, muter_id=ann.id, muted_id=bob.id, seconds=3600, now=utcnow() - timedelta(hours=2)
    )
    session.commit()
    assert by_bob in _explore(session, ann)
    assert safety.list_mutes(session, user_id=ann.id) == []
    safety.mute_user(session, muter_id=ann.id, muted_id=bob.id, seconds=3600)
    session.commit()
    assert by_bob not in _explore(session, ann)
    assert [m.username for m in safety.list_mutes(session, user_id=ann.id)] == ["bob"]
    with pytest.raises(Invalid):
        safety.mute_user(session, muter_id=ann.id, muted_id=bob.id, seconds=5)


def test_tag_page_and_search_leave_out_blocked_and_muted(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    by_bob = _post(session, bob, "gardening tomatoes #garden")
    by_cat = _post(session, cat, "gardening peppers #garden")
    safety.block_user(session, blocker_id=ann.id, blocked_id=bob.id)
    safety.mute_user(session, muter_id=ann.id, muted_id=cat.id)
    session.commit()

    def tag_ids(viewer: User) -> list[int]:
        page = tags.tag_posts(session, name="garden", viewer_id=viewer.id or 0, page=1, per_page=10)
        return [row.id for row in page.items]

    def found(viewer: User) -> list[int]:
        results = search.search_posts(
            session, q="gardening", page=1, per_page=10, viewer_id=viewer.id or 0
        )
        return [row.id for row in results.posts]

    assert tag_ids(ann) == [] and found(ann) == []
    assert set(tag_ids(cat)) == {by_bob, by_cat} and set(found(cat)) == {by_bob, by_cat}
    assert set(tag_ids(bob)) == {by_bob, by_cat}  # a block hides the blocker's, not others'


def test_blocked_or_muted_people_do_not_notify(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    mine = _post(session, ann, "ann's post")
    safety.block_user(session, blocker_id=ann.id, blocked_id=bob.id)
    safety.mute_user(session, muter_id=ann.id, muted_id=cat.id)
    session.commit()
    # bob cannot even reach the post; his mention reaches nobody.
    with pytest.raises(NotFound):
        reactions.like_post(session, user_id=bob.id, post_id=mine)
    with pytest.raises(NotFound):
        reactions.boost_post(session, user_id=bob.id, post_id=mine)
    with pytest.raises(NotFound):
        _post(session, bob, "a reply", reply_to_id=mine)
    session.rollback()
    _post(session, bob, "hello @ann")
    # cat (muted) may like, boost, reply and mention: ann is not told.
    reactions.like_post(session, user_id=cat.id, post_id=mine)
    reactions.boost_post(session, user_id=cat.id, post_id=mine)
    _post(session, cat, "cat replies", reply_to_id=mine)
    _post(session, cat, "hi @ann")
    follows.follow(session, follower_id=cat.id, followed_id=ann.id)
    session.commit()
    assert _kinds(session, ann) == []
    safety.unmute_user(session, muter_id=ann.id, muted_id=cat.id)
    _post(session, cat, "hi again @ann")
    session.commit()
    assert _kinds(session, ann) == [notifications.MENTION]


def test_a_mute_that_keeps_notifications(session: Session, trio: tuple[User, User, User]) -> None:
    ann, _, cat = trio
    safety.mute_user(session, muter_id=ann.id, muted_id=cat.id, hide_notifications=False)
    _post(session, cat, "hello @ann")
    assert _kinds(session, ann) == [notifications.MENTION]


def test_muted_conversation_stops_reply_and_mention_notices(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, _ = trio
    root = _post(session, ann, "a thread")
    reply = _post(session, bob, "first answer", reply_to_id=root)
    assert _kinds(session, ann) == [notifications.REPLY]
    assert safety.mute_conversation(session, user_id=ann.id, post_id=reply) == root
    session.commit()
    _post(session, bob, "second answer @ann", reply_to_id=reply)
    _post(session, bob, "third answer", reply_to_id=root)
    assert _kinds(session, ann) == [notifications.REPLY]
    _post(session, bob, "elsewhere @ann")  # another conversation still notifies
    assert _kinds(session, ann) == [notifications.MENTION, notifications.REPLY]
    assert safety.unmute_conversation(session, user_id=ann.id, post_id=root) is True


def test_messages_follow_blocks_and_the_setting(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    messages.send_message(session, sender_id=bob.id, recipient_username="ann", body="hi")
    safety.block_user(session, blocker_id=ann.id, blocked_id=bob.id)
    with pytest.raises(Forbidden):
        messages.send_message(session, sender_id=bob.id, recipient_username="ann", body="hi")
    with pytest.raises(Forbidden):
        messages.send_message(session, sender_id=ann.id, recipient_username="bob", body="hi")
    safety.set_message_policy(session, user_id=cat.id, policy="following")
    with pytest.raises(Forbidden):
        messages.send_message(session, sender_id=ann.id, recipient_username="cat", body="hi")
    follows.follow(session, follower_id=cat.id, followed_id=ann.id)
    messages.send_message(session, sender_id=ann.id, recipient_username="cat", body="hi")
    safety.set_message_policy(session, user_id=cat.id, policy="nobody")
    with pytest.raises(Forbidden):
        messages.send_message(session, sender_id=ann.id, recipient_username="cat", body="hi")
    with pytest.raises(Invalid):
        safety.set_message_policy(session, user_id=cat.id, policy="friends")


def test_live_home_pushes_skip_muters_and_blockers(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    follows.follow(session, follower_id=ann.id, followed_id=cat.id)
    follows.follow(session, follower_id=bob.id, followed_id=cat.id)
    session.commit()
    everyone = {ann.id, bob.id, cat.id}
    assert new_posts.readers_of_author(session, author_id=cat.id, candidates=everyone) == everyone
    safety.mute_user(session, muter_id=ann.id, muted_id=cat.id)
    session.commit()
    assert new_posts.readers_of_author(session, author_id=cat.id, candidates=everyone) == {
        bob.id,
        cat.id,
    }
    safety.block_user(session, blocker_id=cat.id, blocked_id=bob.id)
    session.commit()
    assert new_posts.readers_of_author(session, author_id=cat.id, candidates=everyone) == {cat.id}
    assert new_posts.readers_hiding_author(session, author_id=cat.id, candidates=everyone) == {
        ann.id,
        bob.id,
    }


def test_home_timeline_with_blocks_and_mutes_stays_one_statement_without_count(
    engine: Engine, add_user: AddUser
) -> None:
    """The rules are anti-joins inside the page's statement: a warm page with blocks and mutes
    sends what one without them sends (one statement; two on SQLite's merge) and no COUNT."""
    with Session(engine) as session:
        reader = add_user(session, "reader")
        others = [add_user(session, f"other{i}") for i in range(6)]
        for other in others[:3]:
            follows.follow(session, follower_id=reader.id, followed_id=other.id)
        session.commit()
        mail_outbox.settle()  # the follow emails' drain runs on its own thread, on this engine
        timeline.home_timeline(session, user_id=reader.id or 0, page=1, per_page=10)
        with _statements(engine) as plain:
            timeline.home_timeline(session, user_id=reader.id or 0, page=1, per_page=10)
        safety.mute_user(session, muter_id=reader.id, muted_id=others[0].id)
        safety.block_user(session, blocker_id=reader.id, blocked_id=others[4].id)
        session.commit()
        mail_outbox.settle()
        timeline.home_timeline(session, user_id=reader.id or 0, page=1, per_page=10)
        with _statements(engine) as ruled:
            timeline.home_timeline(session, user_id=reader.id or 0, page=1, per_page=10)
    assert len(ruled) == len(plain) <= 2
    assert not any("count(" in sql.lower() for sql in ruled)
    assert any("user_mute" in sql and "user_block" in sql for sql in ruled)


def test_new_posts_bar_does_not_count_muted_authors(
    session: Session, trio: tuple[User, User, User]
) -> None:
    ann, bob, cat = trio
    follows.follow(session, follower_id=ann.id, followed_id=bob.id)
    follows.follow(session, follower_id=ann.id, followed_id=cat.id)
    safety.mute_user(session, muter_id=ann.id, muted_id=bob.id)
    session.commit()
    since = new_posts.latest_post_id(session)
    _post(session, bob, "muted news")
    _post(session, cat, "news")
    assert new_posts.count_new_home_posts(session, user_id=ann.id, since_id=since) == 1
