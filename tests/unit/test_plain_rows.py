"""Explore, a user's posts and the follower lists are read as plain columns, as the home timeline
is: one statement a page, no ORM object built per row, and the same rows as from the models."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from microblog.models import Follow, Post, User, utcnow
from microblog.schemas import PostRow, UserPublic
from microblog.services import follows, posts, profile

AddUser = Callable[..., User]


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def built() -> Iterator[list[str]]:
    """The model objects the ORM builds from rows (its `load` event), by class name."""
    names: list[str] = []

    def record(target: object, _context: object) -> None:
        names.append(type(target).__name__)

    for model in (Post, User):
        event.listen(model, "load", record)
    yield names
    for model in (Post, User):
        event.remove(model, "load", record)


@pytest.fixture
def site(engine: Engine, add_user: AddUser) -> dict[str, int]:
    """Three users with a few posts each, susan followed by the other two."""
    with Session(engine) as db:
        people = {name: add_user(db, name) for name in ("susan", "john", "tom")}
        now = utcnow()
        for i in range(9):
            author = list(people.values())[i % 3]
            db.add(Post(body=f"post {i}", user_id=author.id, timestamp=now - timedelta(minutes=i)))
        for name in ("john", "tom"):
            db.add(Follow(follower_id=people[name].id, followed_id=people["susan"].id))
        people["susan"].about_me = "hello"
        db.commit()
        return {name: user.id or 0 for name, user in people.items()}


def _orm_posts(db: Session, user_id: int | None = None) -> list[PostRow]:
    query = select(Post, User).join(User, col(Post.user_id) == col(User.id))
    if user_id is not None:
        query = query.where(Post.user_id == user_id)
    pairs = db.exec(query.order_by(col(Post.timestamp).desc(), col(Post.id).desc())).all()
    return [PostRow.of(*pair) for pair in pairs]


def test_post_pages_are_one_statement_of_plain_rows(
    engine: Engine, site: dict[str, int], statements: list[str], built: list[str]
) -> None:
    with Session(engine) as db:
        everyone, susans = _orm_posts(db), _orm_posts(db, site["susan"])
    with Session(engine) as db:
        statements.clear()
        built.clear()
        explore = posts.explore_posts(db, page=2, per_page=4)
        mine = posts.user_posts(db, user_id=site["susan"], page=1, per_page=2)
        one = posts.get_post_row(db, post_id=everyone[0].id)
        assert len(statements) == 3
        assert built == []  # no Post or User object
    assert explore.items == everyone[4:8] and explore.has_next and explore.has_prev
    assert mine.items == susans[:2] and mine.has_next
    assert one == everyone[0]


def test_follower_lists_are_one_statement_of_plain_rows(
    engine: Engine, site: dict[str, int], statements: list[str], built: list[str]
) -> None:
    with Session(engine) as db:
        expected = {name: UserPublic.of(db.get(User, user_id)) for name, user_id in site.items()}
    with Session(engine) as db:
        statements.clear()
        built.clear()
        followers = follows.list_followers(db, user_id=site["susan"], page=1, per_page=1)
        following = follows.list_following(db, user_id=site["john"], page=1, per_page=5)
        counted = follows.list_followers(db, user_id=site["susan"], page=2, per_page=1, count=True)
        assert len(statements) == 4  # a page each, and the one COUNT asked for
        assert built == []
    assert followers.items[0] in (expected["john"], expected["tom"]) and followers.has_next
    assert following.items == [expected["susan"]]
    assert counted.total == 2 and counted.items[0] != followers.items[0]


def test_a_profile_builds_only_its_own_user(
    engine: Engine, site: dict[str, int], built: list[str]
) -> None:
    with Session(engine) as db:
        built.clear()
        view = profile.read_profile(
            db, username="susan", viewer_id=site["john"], tab="posts", page=1, per_page=25
        )
    assert built == ["User"]
    assert [p.author_username for p in view.listing.items] == ["susan"] * 3
    assert view.user.about_me == "hello" and view.is_following
