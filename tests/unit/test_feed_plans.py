"""Every feed walks its posts newest first on an index, with or without keyset bounds.

The Mastodon API's `max_id`/`since_id` bound a feed's entry ids. Written as a range on the
post's id, SQLite took the bound for the better index and walked the posts by rowid from it:
on the scale data set the home timeline of a reader following 500 took 340 ms instead of 1 ms.
SQLite plans from the schema alone (no statistics here), so tiny tables show the plan the
scale data set gets."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

import microblog.services.timeline as timeline_service
from microblog.models import User
from microblog.services.follows import follow
from microblog.services.posts import create_post, explore_posts, user_posts
from microblog.services.tags import tag_posts
from microblog.services.timeline import MERGE, SCAN, home_timeline
from tests.query_plans import plans_of, statements_sent

AddUser = Callable[..., User]
BOUNDS = [{}, {"max_id": 50}, {"since_id": 3}, {"max_id": 50, "since_id": 3}]


@pytest.fixture
def readers(session: Session, add_user: AddUser) -> tuple[User, User]:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    follow(session, follower_id=ann.id, followed_id=bob.id)
    for n in range(6):
        create_post(session, author_id=bob.id, body=f"#tides post {n}")
    session.commit()
    return ann, bob


def _feed_plans(engine: Engine, read: Callable[[Session], object]) -> str:
    """The plans of the statements that read posts (the page of entries and its cards)."""
    sent = [(sql, args) for sql, args in statements_sent(engine, read) if " post " in f"{sql} "]
    assert sent, "the read sent no statement on post"
    return "\n".join(plans_of(engine, sent, analyze=["post"]))


def _assert_no_id_range(plan: str, dialect: str) -> None:
    if dialect == "sqlite":
        assert "INTEGER PRIMARY KEY (rowid<" not in plan, plan
        assert "INTEGER PRIMARY KEY (rowid>" not in plan, plan
    else:
        assert "Index Cond: (p.id <" not in plan and "Index Cond: (p.id >" not in plan, plan


@pytest.mark.parametrize("bounds", BOUNDS, ids=["none", "max", "since", "both"])
def test_explore_profile_and_tag_walk_their_index(
    engine: Engine, readers: tuple[User, User], bounds: dict[str, int]
) -> None:
    ann, bob = readers
    reads: dict[str, Callable[[Session], object]] = {
        "explore": lambda db: explore_posts(db, page=1, per_page=5, viewer_id=ann.id, **bounds),
        "profile": lambda db: user_posts(
            db, user_id=bob.id, page=1, per_page=5, viewer_id=ann.id, **bounds
        ),
        "tag": lambda db: tag_posts(
            db, name="tides", viewer_id=ann.id, page=1, per_page=5, **bounds
        ),
    }
    for name, read in reads.items():
        plan = _feed_plans(engine, read)
        _assert_no_id_range(plan, engine.dialect.name)
        if name == "explore" and engine.dialect.name == "sqlite":
            assert "SCAN p USING COVERING INDEX ix_post_timestamp" in plan, plan


@pytest.mark.parametrize("plan_name", [SCAN, MERGE])
@pytest.mark.parametrize("bounds", BOUNDS, ids=["none", "max", "since", "both"])
def test_home_timeline_walks_its_index_under_either_plan(
    engine: Engine,
    readers: tuple[User, User],
    monkeypatch: pytest.MonkeyPatch,
    plan_name: str,
    bounds: dict[str, int],
) -> None:
    ann, _bob = readers
    most = 10**9 if plan_name == MERGE else 0
    monkeypatch.setattr(timeline_service, "_max_merge_authors", lambda *_: most)
    plan = _feed_plans(
        engine, lambda db: home_timeline(db, user_id=ann.id, page=1, per_page=5, **bounds)
    )
    _assert_no_id_range(plan, engine.dialect.name)
