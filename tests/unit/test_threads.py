"""The thread page's data (services/threads.py): ancestors oldest first, the post, a page of
its direct replies, each list one statement; a boost opens its original; a deleted post in the
middle cuts the chain there."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from microblog.models import Post, User, table_of, utcnow
from microblog.services import threads
from microblog.services.errors import NotFound
from microblog.services.posts import create_post, delete_post
from microblog.services.reactions import boost_post, like_post

AddUser = Callable[..., User]


def _chain(session: Session, authors: list[User], length: int) -> list[Post]:
    """`length` posts, each replying to the one before, a second apart (oldest first)."""
    posts: list[Post] = []
    start = utcnow() - timedelta(hours=1)
    for n in range(length):
        author = authors[n % len(authors)]
        parent = posts[-1].id if posts else None
        post = create_post(session, author_id=author.id, body=f"step {n}", reply_to_id=parent)
        session.execute(
            update(table_of(Post))
            .where(table_of(Post).c.id == post.id)
            .values(timestamp=start + timedelta(seconds=n))
        )
        posts.append(post)
    session.commit()
    return posts


def test_thread_has_ancestors_oldest_first_and_replies(session: Session, add_user: AddUser) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    chain = _chain(session, [ann, bob], 4)
    middle = chain[2]
    first = create_post(session, author_id=ann.id, body="reply one", reply_to_id=middle.id)
    second = create_post(session, author_id=bob.id, body="reply two", reply_to_id=middle.id)
    create_post(session, author_id=bob.id, body="not a direct reply", reply_to_id=first.id)
    like_post(session, user_id=bob.id, post_id=middle.id)
    session.commit()

    thread = threads.open_thread(session, post_id=middle.id, viewer_id=bob.id, page=1, per_page=5)

    assert thread.post.id == middle.id and thread.post.liked and thread.post.like_count == 1
    assert [p.id for p in thread.ancestors] == [chain[0].id, chain[1].id]
    # chain[3] was dated an hour ago: the oldest reply comes first.
    assert [p.id for p in thread.replies.items] == [chain[3].id, first.id, second.id]
    assert not thread.replies.has_next
    assert thread.post.reply_count == 3
    assert not thread.earlier_deleted


def test_replies_are_paginated_oldest_first(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    root = create_post(session, author_id=ann.id, body="root")
    replies = [
        create_post(session, author_id=ann.id, body=f"r{n}", reply_to_id=root.id) for n in range(5)
    ]
    session.commit()
    first = threads.open_thread(session, post_id=root.id, viewer_id=0, page=1, per_page=2)
    last = threads.open_thread(session, post_id=root.id, viewer_id=0, page=3, per_page=2)
    assert [p.id for p in first.replies.items] == [replies[0].id, replies[1].id]
    assert first.replies.has_next and not first.replies.has_prev
    assert [p.id for p in last.replies.items] == [replies[4].id]
    assert not last.replies.has_next and last.replies.has_prev
    assert first.ancestors == []


def test_a_deleted_middle_post_cuts_the_chain(session: Session, add_user: AddUser) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    chain = _chain(session, [ann, bob], 5)
    delete_post(session, post_id=chain[2].id, user_id=ann.id)
    session.commit()

    below = threads.open_thread(session, post_id=chain[4].id, viewer_id=0, page=1, per_page=5)
    above = threads.open_thread(session, post_id=chain[1].id, viewer_id=0, page=1, per_page=5)

    assert [p.id for p in below.ancestors] == [chain[3].id]
    assert below.earlier_deleted  # chain[3] answered a post that is gone
    assert below.ancestors[0].reply_to_username == "ann"
    assert [p.id for p in above.ancestors] == [chain[0].id]
    assert above.replies.items == [] and not above.earlier_deleted
    with pytest.raises(NotFound):
        threads.open_thread(session, post_id=chain[2].id, viewer_id=0, page=1, per_page=5)


def test_a_boost_opens_the_original(session: Session, add_user: AddUser) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    original = create_post(session, author_id=ann.id, body="share me")
    reply = create_post(session, author_id=bob.id, body="answer", reply_to_id=original.id)
    boost_post(session, user_id=bob.id, post_id=original.id)
    session.commit()
    boost_id = session.exec(select(Post.id).where(Post.boost_of_id == original.id)).one()
    assert boost_id is not None
    thread = threads.open_thread(session, post_id=boost_id, viewer_id=bob.id, page=1, per_page=5)
    assert thread.post.id == original.id and thread.post.boosted
    assert [p.id for p in thread.replies.items] == [reply.id]


def test_an_unknown_post_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        threads.open_thread(session, post_id=123456, viewer_id=0, page=1, per_page=5)


def test_ancestors_stop_at_the_limit(
    session: Session, add_user: AddUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = add_user(session, "ann")
    chain = _chain(session, [ann], 6)
    monkeypatch.setattr(threads, "MAX_ANCESTORS", 3)
    thread = threads.open_thread(session, post_id=chain[5].id, viewer_id=0, page=1, per_page=5)
    assert [p.id for p in thread.ancestors] == [chain[2].id, chain[3].id, chain[4].id]


def test_each_list_is_one_statement(
    use_engine: object, sent_sql: list[str], add_user: AddUser
) -> None:
    from microblog.db import session_scope

    with session_scope() as db:
        ann = add_user(db, "ann")
        chain = _chain(db, [ann], 3)
        create_post(db, author_id=ann.id, body="reply", reply_to_id=chain[2].id)
        db.commit()
        post_id = chain[2].id
    sent_sql.clear()
    with session_scope() as db:
        threads.open_thread(db, post_id=post_id, viewer_id=0, page=1, per_page=5)
    selects = [s for s in sent_sql if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) == 3  # the post, its ancestors, its replies
    assert not any("COUNT(" in s.upper() for s in selects)
