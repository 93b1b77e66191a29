"""The thread and a tag's posts as the API reads them (services/threads.py, services/tags.py):
the right posts in the right order, and each list one statement around the cards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.models import Post, PostTag, Tag, User, row_id, utcnow
from microblog.services.errors import NotFound
from microblog.services.posts import create_post
from microblog.services.reactions import boost_post, like_post
from microblog.services.rich_text import normalize_tag
from microblog.services.tags import tag_posts
from microblog.services.threads import MAX_ANCESTORS, open_thread

AddUser = Callable[..., User]


def _reply(session: Session, author: User, body: str, to: int | None = None) -> int:
    return row_id(create_post(session, author_id=row_id(author), body=body, reply_to_id=to))


def test_a_thread_reads_the_chain_the_post_and_a_page_of_replies(
    session: Session, add_user: AddUser, sent_sql: list[str]
) -> None:
    ann, ben = add_user(session, "ann"), add_user(session, "ben")
    root = _reply(session, ann, "root")
    middle = _reply(session, ben, "middle", root)
    leaf = _reply(session, ann, "leaf", middle)
    later = _reply(session, ben, "later", root)
    boost = boost_post(session, user_id=row_id(ben), post_id=middle)
    like_post(session, user_id=row_id(ben), post_id=root)
    session.commit()

    sent_sql.clear()
    thread = open_thread(session, post_id=middle, viewer_id=row_id(ben), page=1, per_page=10)
    # The reply emails of the posts above go out on the outbox's own thread meanwhile.
    reads = [sql for sql in sent_sql if "mail_outbox" not in sql]
    assert len(reads) == 3, reads  # the post, the chain above it, the page of replies
    assert [p.id for p in thread.ancestors] == [root]
    assert thread.ancestors[0].liked and thread.ancestors[0].like_count == 1
    assert thread.post.id == middle and thread.post.boosted
    assert [p.id for p in thread.replies.items] == [leaf]
    assert thread.replies.total == 1

    top = open_thread(session, post_id=root, viewer_id=0, page=1, per_page=1)
    assert top.ancestors == []
    assert [p.id for p in top.replies.items] == [middle]
    assert top.replies.has_next and top.replies.total == 2
    second = open_thread(session, post_id=root, viewer_id=0, page=2, per_page=1)
    assert [p.id for p in second.replies.items] == [later] and not second.replies.has_next

    # A boost's thread is its original's.
    assert boost.boosted and boost.boost_count == 1
    boost_id = session.exec(select(Post.id).where(Post.boost_of_id == middle)).one()
    via_boost = open_thread(session, post_id=boost_id, viewer_id=0, page=1, per_page=10)
    assert via_boost.post.id == middle and [p.id for p in via_boost.ancestors] == [root]


def test_a_thread_of_a_missing_post_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        open_thread(session, post_id=123456, viewer_id=0, page=1, per_page=10)


def test_a_long_chain_is_cut_at_the_limit(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    post_id = _reply(session, ann, "0")
    for i in range(MAX_ANCESTORS + 5):
        post_id = _reply(session, ann, str(i + 1), post_id)
    session.commit()
    thread = open_thread(session, post_id=post_id, viewer_id=0, page=1, per_page=10)
    assert len(thread.ancestors) == MAX_ANCESTORS
    assert thread.ancestors[-1].body == str(MAX_ANCESTORS + 4)  # the nearest ones kept


def _tag(session: Session, name: str, post_ids: list[int]) -> None:
    tag = Tag(name=name)
    session.add(tag)
    session.flush()
    for post_id in post_ids:
        post = session.get(Post, post_id)
        assert post is not None
        session.execute(
            insert(PostTag).values(post_id=post_id, tag_id=row_id(tag), timestamp=post.timestamp)
        )


def test_a_tag_lists_its_posts_newest_first_in_one_statement(
    session: Session, add_user: AddUser, sent_sql: list[str], engine: Engine
) -> None:
    ann = add_user(session, "ann")
    start = utcnow() - timedelta(hours=1)
    ids = []
    for i in range(5):
        post = Post(
            body=f"p{i}", body_html="", user_id=row_id(ann), timestamp=start + timedelta(minutes=i)
        )
        session.add(post)
        session.flush()
        ids.append(row_id(post))
    _tag(session, "café", ids[:4])
    _tag(session, "other", ids[4:])
    session.commit()

    sent_sql.clear()
    page = tag_posts(session, name="#CAFÉ", viewer_id=row_id(ann), page=1, per_page=3)
    assert len(sent_sql) == 1
    assert [p.id for p in page.items] == [ids[3], ids[2], ids[1]] and page.has_next
    rest = tag_posts(session, name="cafe\u0301", viewer_id=0, page=2, per_page=3)
    assert [p.id for p in rest.items] == [ids[0]] and not rest.has_next
    assert tag_posts(session, name="nobody", viewer_id=0, page=1, per_page=3).items == []
    assert tag_posts(session, name="ca\x00fé", viewer_id=0, page=1, per_page=3).items == []


def test_tag_keys_are_normalised() -> None:
    assert normalize_tag("#Café") == normalize_tag("CAFE\u0301") == "café"
    assert normalize_tag("\uff30\uff39\uff34\uff28\uff2f\uff2e") == "python"  # full-width letters
