"""Likes, boosts, replies, edits and deletes: what each does to the rows, the counters and the
notifications (services/reactions.py, services/posts.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from microblog.models import Like, Notification, Post, PostEdit, User
from microblog.services import notifications, posts, reactions
from microblog.services.errors import Forbidden, Invalid, NotFound

AddUser = Callable[..., User]


def _post(session: Session, post_id: int) -> Post:
    session.expire_all()
    found = session.get(Post, post_id)
    assert found is not None
    return found


def _counters(session: Session, post_id: int) -> tuple[int, int, int]:
    post = _post(session, post_id)
    return post.like_count, post.boost_count, post.reply_count


def _notices(session: Session, user_id: int, kind: str) -> list[tuple[int | None, int | None]]:
    """(actor, post) of each of the user's notifications of `kind`."""
    rows = session.exec(
        select(Notification.actor_id, Notification.post_id)
        .where(Notification.user_id == user_id, Notification.kind == kind)
        .order_by(Notification.id)  # type: ignore[arg-type]
    ).all()
    return [(actor, post) for actor, post in rows]


def _boosts(session: Session, post_id: int) -> list[int]:
    return list(
        session.exec(select(Post.user_id).where(Post.boost_of_id == post_id)).all()  # type: ignore[arg-type]
    )


@pytest.fixture
def trio(session: Session, add_user: AddUser) -> tuple[int, int, int, int]:
    """ann wrote a post; bob and cat are about to react. (ann, bob, cat, post id)."""
    ann, bob, cat = (add_user(session, name).id for name in ("ann", "bob", "cat"))
    post = posts.create_post(session, author_id=ann, body="hello world", language="en")
    session.commit()
    return ann, bob, cat, post.id or 0


# -- likes ------------------------------------------------------------------------------------


def test_liking_twice_counts_once_and_notifies_once(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, bob, _, post_id = trio
    first = reactions.like_post(session, user_id=bob, post_id=post_id)
    again = reactions.like_post(session, user_id=bob, post_id=post_id)
    session.commit()
    assert (first.like_count, first.liked) == (1, True)
    assert (again.like_count, again.liked) == (1, True)
    assert _counters(session, post_id) == (1, 0, 0)
    assert session.exec(select(func.count()).select_from(Like)).one() == 1
    assert _notices(session, ann, notifications.LIKE) == [(bob, post_id)]


def test_unliking_what_was_not_liked_changes_nothing(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    _, bob, cat, post_id = trio
    reactions.like_post(session, user_id=cat, post_id=post_id)
    counts = reactions.unlike_post(session, user_id=bob, post_id=post_id)
    session.commit()
    assert (counts.like_count, counts.liked) == (1, False)
    assert _counters(session, post_id) == (1, 0, 0)


def test_unlike_withdraws_an_unread_notification_only(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    """Undone while unread: the notice goes. Already read: it stays (ann saw it happen)."""
    ann, bob, cat, post_id = trio
    reactions.like_post(session, user_id=bob, post_id=post_id)
    reactions.unlike_post(session, user_id=bob, post_id=post_id)
    session.commit()
    assert _notices(session, ann, notifications.LIKE) == []
    assert _counters(session, post_id) == (0, 0, 0)

    reactions.like_post(session, user_id=cat, post_id=post_id)
    session.commit()
    owner = session.get(User, ann)
    assert owner is not None
    owner.last_notification_read_id = max(
        session.exec(select(Notification.id)).all(),  # type: ignore[arg-type]
    )
    session.add(owner)
    session.commit()
    counts = reactions.unlike_post(session, user_id=cat, post_id=post_id)
    session.commit()
    assert counts.like_count == 0 and not counts.liked
    assert _notices(session, ann, notifications.LIKE) == [(cat, post_id)]


def test_liking_ones_own_post_notifies_nobody(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, _, _, post_id = trio
    assert reactions.like_post(session, user_id=ann, post_id=post_id).like_count == 1
    session.commit()
    assert session.exec(select(func.count()).select_from(Notification)).one() == 0


def test_liking_a_boost_likes_the_original(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    _, bob, cat, post_id = trio
    reactions.boost_post(session, user_id=bob, post_id=post_id)
    boost_id = session.exec(select(Post.id).where(Post.boost_of_id == post_id)).one()
    counts = reactions.like_post(session, user_id=cat, post_id=boost_id or 0)
    session.commit()
    assert counts.post_id == post_id and counts.like_count == 1
    assert session.exec(select(Like.post_id)).all() == [post_id]


def test_reacting_to_a_missing_post_is_not_found(session: Session, add_user: AddUser) -> None:
    bob = add_user(session, "bob").id
    for react in (
        reactions.like_post,
        reactions.unlike_post,
        reactions.boost_post,
        reactions.unboost_post,
    ):
        with pytest.raises(NotFound):
            react(session, user_id=bob, post_id=12345)
    assert session.exec(select(func.count()).select_from(Post)).one() == 0


# -- boosts -----------------------------------------------------------------------------------


def test_boosting_twice_is_one_boost(session: Session, trio: tuple[int, int, int, int]) -> None:
    ann, bob, _, post_id = trio
    first = reactions.boost_post(session, user_id=bob, post_id=post_id)
    again = reactions.boost_post(session, user_id=bob, post_id=post_id)
    session.commit()
    assert (first.boost_count, first.boosted) == (1, True) == (again.boost_count, again.boosted)
    assert _boosts(session, post_id) == [bob]
    boost = session.exec(select(Post).where(Post.boost_of_id == post_id)).one()
    assert boost.body == "" and boost.body_html == "" and boost.reply_to_id is None
    assert _notices(session, ann, notifications.BOOST) == [(bob, post_id)]


def test_boosting_a_boost_boosts_the_original(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, bob, cat, post_id = trio
    reactions.boost_post(session, user_id=bob, post_id=post_id)
    bobs_boost = session.exec(select(Post.id).where(Post.user_id == bob)).one()
    counts = reactions.boost_post(session, user_id=cat, post_id=bobs_boost or 0)
    session.commit()
    assert counts.post_id == post_id and counts.boost_count == 2
    assert sorted(_boosts(session, post_id)) == sorted([bob, cat])
    assert _boosts(session, bobs_boost or 0) == []
    # bob is not told about cat boosting his boost: ann is, of her post.
    assert _notices(session, bob, notifications.BOOST) == []
    assert _notices(session, ann, notifications.BOOST) == [(bob, post_id), (cat, post_id)]


def test_unboost_and_deleting_the_boost_are_the_same(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, bob, cat, post_id = trio
    reactions.boost_post(session, user_id=bob, post_id=post_id)
    reactions.boost_post(session, user_id=cat, post_id=post_id)
    session.commit()
    assert _counters(session, post_id) == (0, 2, 0)

    counts = reactions.unboost_post(session, user_id=bob, post_id=post_id)
    session.commit()
    assert (counts.boost_count, counts.boosted) == (1, False)

    cats_boost = session.exec(select(Post.id).where(Post.user_id == cat)).one()
    with pytest.raises(Forbidden):  # only the booster may delete the boost
        posts.delete_post(session, post_id=cats_boost or 0, user_id=bob)
    posts.delete_post(session, post_id=cats_boost or 0, user_id=cat)
    session.commit()
    assert _counters(session, post_id) == (0, 0, 0)
    assert _boosts(session, post_id) == []
    assert _notices(session, ann, notifications.BOOST) == []  # both withdrawn, unread
    # Unboosting what was not boosted changes nothing.
    assert reactions.unboost_post(session, user_id=bob, post_id=post_id).boost_count == 0


def test_deleting_the_original_takes_its_boosts_and_likes(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, bob, cat, post_id = trio
    reactions.boost_post(session, user_id=bob, post_id=post_id)
    reactions.like_post(session, user_id=cat, post_id=post_id)
    session.commit()
    posts.delete_post(session, post_id=post_id, user_id=ann)
    session.commit()
    assert session.exec(select(func.count()).select_from(Post)).one() == 0
    assert session.exec(select(func.count()).select_from(Like)).one() == 0


# -- replies ----------------------------------------------------------------------------------


def test_a_reply_counts_and_notifies_the_author(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, bob, _, post_id = trio
    reply = posts.create_post(
        session, author_id=bob, body="hi ann", language="en", reply_to_id=post_id
    )
    session.commit()
    assert (reply.reply_to_id, reply.reply_to_user_id) == (post_id, ann)
    assert _counters(session, post_id) == (0, 0, 1)
    assert _notices(session, ann, notifications.REPLY) == [(bob, reply.id)]
    # Answering oneself notifies nobody.
    posts.create_post(session, author_id=ann, body="and more", language="en", reply_to_id=post_id)
    session.commit()
    assert _counters(session, post_id) == (0, 0, 2)
    assert len(_notices(session, ann, notifications.REPLY)) == 1


def test_a_reply_to_a_boost_answers_the_original(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, bob, cat, post_id = trio
    reactions.boost_post(session, user_id=bob, post_id=post_id)
    boost_id = session.exec(select(Post.id).where(Post.boost_of_id == post_id)).one()
    reply = posts.create_post(
        session, author_id=cat, body="replying", language="en", reply_to_id=boost_id
    )
    session.commit()
    assert (reply.reply_to_id, reply.reply_to_user_id) == (post_id, ann)
    assert _counters(session, post_id) == (0, 1, 1)
    assert _counters(session, boost_id or 0) == (0, 0, 0)


def test_a_reply_to_a_missing_post_is_refused(session: Session, add_user: AddUser) -> None:
    bob = add_user(session, "bob").id
    with pytest.raises(NotFound):
        posts.create_post(session, author_id=bob, body="to nobody", reply_to_id=999)
    assert session.exec(select(func.count()).select_from(Post)).one() == 0


def test_deleting_a_reply_uncounts_it_and_deleting_the_parent_keeps_replies(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, bob, cat, post_id = trio
    first = posts.create_post(session, author_id=bob, body="one", reply_to_id=post_id)
    second = posts.create_post(session, author_id=cat, body="two", reply_to_id=post_id)
    session.commit()
    posts.delete_post(session, post_id=first.id or 0, user_id=bob)
    session.commit()
    assert _counters(session, post_id) == (0, 0, 1)
    with pytest.raises(NotFound):  # already gone: no second decrement
        posts.delete_post(session, post_id=first.id or 0, user_id=bob)
    assert _counters(session, post_id) == (0, 0, 1)

    posts.delete_post(session, post_id=post_id, user_id=ann)
    session.commit()
    orphan = _post(session, second.id or 0)
    # The reply stays; whom it answered is still known.
    assert (orphan.reply_to_id, orphan.reply_to_user_id) == (None, ann)


# -- edits ------------------------------------------------------------------------------------


def test_only_the_author_edits_and_a_boost_has_no_text(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    _, bob, _, post_id = trio
    with pytest.raises(Forbidden):
        posts.edit_post(session, post_id=post_id, user_id=bob, body="hijacked")
    assert _post(session, post_id).body == "hello world"
    reactions.boost_post(session, user_id=bob, post_id=post_id)
    boost_id = session.exec(select(Post.id).where(Post.boost_of_id == post_id)).one()
    with pytest.raises(Invalid):
        posts.edit_post(session, post_id=boost_id or 0, user_id=bob, body="text")
    with pytest.raises(Invalid):
        posts.edit_post(session, post_id=post_id, user_id=trio[0], body="   ")
    with pytest.raises(NotFound):
        posts.edit_post(session, post_id=777, user_id=bob, body="x")
    assert session.exec(select(func.count()).select_from(PostEdit)).one() == 0


def test_edits_keep_every_version_in_order(
    session: Session, trio: tuple[int, int, int, int]
) -> None:
    ann, bob, _, post_id = trio
    assert _post(session, post_id).edited_at is None
    for body in ("second <b>version</b>", "third version"):
        posts.edit_post(session, post_id=post_id, user_id=ann, body=body)
        session.commit()
    # The same text again is no edit.
    posts.edit_post(session, post_id=post_id, user_id=ann, body="third version")
    session.commit()
    post = _post(session, post_id)
    assert post.body == "third version" and post.edited_at is not None
    assert "third version" in post.body_html
    history = posts.post_history(session, post_id=post_id)
    assert [v.body for v in history] == ["third version", "second <b>version</b>", "hello world"]
    assert "<b>" not in history[1].body_html  # each version kept as it was rendered (escaped)
    assert [v.written_at for v in history] == sorted((v.written_at for v in history), reverse=True)
    # The history of a boost is its original's.
    reactions.boost_post(session, user_id=bob, post_id=post_id)
    boost_id = session.exec(select(Post.id).where(Post.boost_of_id == post_id)).one()
    assert posts.post_history(session, post_id=boost_id or 0) == history
