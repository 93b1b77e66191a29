"""Tag pages (services/tags.py): newest first in one statement, any spelling of the tag, any
script, and the capped "N new posts" count above a mark."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select

from microblog.models import Post, PostTag, Tag, User, utcnow
from microblog.services import tags
from microblog.services.new_posts import COUNT_CAP, latest_post_id
from microblog.services.posts import create_post

AddUser = Callable[..., User]


def _tagged(session: Session, author: User, body: str, names: list[str], age: int = 0) -> Post:
    """A post carrying these tags. The placeholder renderer on main extracts no tags, so the
    rows are written here as services/post_body.py's `save_links` writes them."""
    post = create_post(session, author_id=author.id, body=body)
    post.timestamp = utcnow() - timedelta(minutes=age)
    session.add(post)
    for name in names:
        stored = tags.normalise_tag(name)
        tag_id = session.exec(select(Tag.id).where(Tag.name == stored)).first()
        if tag_id is None:
            tag = Tag(name=stored)
            session.add(tag)
            session.flush()
            tag_id = tag.id
        session.execute(
            insert(PostTag).values(post_id=post.id, tag_id=tag_id, timestamp=post.timestamp)
        )
    session.flush()
    return post


@pytest.mark.parametrize(
    ("written", "asked"),
    [
        ("Python", "python"),
        ("python", "#PYTHON"),
        ("\uff30\uff39\uff34\uff28\uff2f\uff2e", "Python"),  # full-width letters
        ("Straße", "STRASSE"),
    ],
)
def test_normalise_tag_is_nfkc_and_case_folded(written: str, asked: str) -> None:
    assert tags.normalise_tag(written) == tags.normalise_tag(asked)


def test_tag_page_newest_first_any_case(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    old = _tagged(session, ann, "old", ["Python"], age=10)
    new = _tagged(session, ann, "new", ["python", "rust"], age=1)
    _tagged(session, ann, "other", ["rust"], age=0)
    session.commit()
    for asked in ("python", "PYTHON", "#Python"):
        page = tags.tag_posts(session, name=asked, viewer_id=0, page=1, per_page=10)
        assert [p.id for p in page.items] == [new.id, old.id]
    first = tags.tag_posts(session, name="python", viewer_id=ann.id, page=1, per_page=1)
    assert [p.id for p in first.items] == [new.id] and first.has_next
    assert tags.tag_posts(session, name="nothing", viewer_id=0, page=1, per_page=10).items == []


def test_chinese_tag(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    post = _tagged(session, ann, "你好", ["中文"])
    _tagged(session, ann, "other", ["中国"])
    session.commit()
    page = tags.tag_posts(session, name="中文", viewer_id=0, page=1, per_page=10)
    assert [p.id for p in page.items] == [post.id]
    assert tags.tags_of_post(session, post_id=post.id) == {"中文"}


def test_new_posts_count_above_the_mark(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    _tagged(session, ann, "before", ["news"])
    session.commit()
    mark = latest_post_id(session)
    assert tags.count_new_tag_posts(session, name="News", since_id=mark) == 0
    _tagged(session, ann, "after", ["NEWS"])
    _tagged(session, ann, "elsewhere", ["sport"])
    session.commit()
    assert tags.count_new_tag_posts(session, name="news", since_id=mark) == 1


def test_new_posts_count_is_capped(session: Session, add_user: AddUser) -> None:
    ann = add_user(session, "ann")
    for n in range(COUNT_CAP + 3):
        _tagged(session, ann, f"p{n}", ["busy"])
    session.commit()
    assert tags.count_new_tag_posts(session, name="busy", since_id=0) == COUNT_CAP + 1


def test_tag_page_is_one_statement(
    use_engine: object, sent_sql: list[str], add_user: AddUser
) -> None:
    from microblog.db import session_scope

    with session_scope() as db:
        ann = add_user(db, "ann")
        _tagged(db, ann, "x", ["one"])
        db.commit()
    sent_sql.clear()
    with session_scope() as db:
        tags.tag_posts(db, name="one", viewer_id=0, page=1, per_page=10)
    assert len(sent_sql) == 1
