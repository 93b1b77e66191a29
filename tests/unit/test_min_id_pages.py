"""Mastodon's `min_id` pages in the services, on SQLite and PostgreSQL: the page just above the
bound (the oldest entries newer than it, listed newest first), so paging up from any entry
covers every newer entry exactly once, in every keyset-paged list: the home timeline under
both plans, Explore, a profile, a tag, notifications and who liked a post. `since_id` stays
the newest page above the bound."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

import microblog.services.timeline as timeline_service
from microblog.models import Post, User, row_id, utcnow
from microblog.schemas import Page
from microblog.services import notifications, reactions
from microblog.services.follows import follow
from microblog.services.posts import create_post, explore_posts, user_posts
from microblog.services.tags import tag_posts
from microblog.services.timeline import MERGE, SCAN, home_timeline
from tests.query_plans import plans_of, statements_sent

AddUser = Callable[..., User]
LIMIT = 4


def _entry(item: object) -> int:
    return int(getattr(item, "entry_id", None) or item.id)  # type: ignore[attr-defined]


def _page_up(read: Callable[..., Page], *, start: int) -> list[list[int]]:
    """Follow `prev` (min_id = the newest entry of the page) from `start` until a page is
    empty; each page's entry ids, as read (newest first)."""
    pages: list[list[int]] = []
    bound = start
    while True:
        page = read(min_id=bound)
        ids = [_entry(item) for item in page.items]
        if not ids:
            return pages
        assert ids == sorted(ids, reverse=True), "a page lists newest first"
        assert len(ids) <= LIMIT
        pages.append(ids)
        bound = ids[0]
        assert len(pages) < 50, "paging up never ends"


def _assert_covers(read: Callable[..., Page], everything: list[int]) -> None:
    """Paging up from below the oldest, and from the middle, reads every newer entry once."""
    oldest_first = sorted(everything)
    pages = _page_up(read, start=0)
    assert [i for page in pages for i in reversed(page)] == oldest_first
    assert all(len(page) == LIMIT for page in pages[:-1])  # full pages until the newest
    middle = oldest_first[len(oldest_first) // 2]
    above = [i for i in oldest_first if i > middle]
    pages = _page_up(read, start=middle)
    assert sorted(i for page in pages for i in page) == above
    assert pages[0] == sorted(above[:LIMIT], reverse=True)  # the page just above the bound
    # since_id is not min_id: the newest page above the bound.
    newest = read(since_id=middle)
    assert [_entry(item) for item in newest.items] == sorted(above, reverse=True)[:LIMIT]


def _world(session: Session, add_user: AddUser) -> tuple[User, User, User, list[int]]:
    """A reader following two authors; 15 posts (with a reply and a boost) a second apart, a
    stranger's post between them; returns the reader, the authors and the post ids."""
    reader, ann, bob, stranger = (add_user(session, n) for n in ("reader", "ann", "bob", "zed"))
    follow(session, follower_id=row_id(reader), followed_id=row_id(ann))
    follow(session, follower_id=row_id(reader), followed_id=row_id(bob))
    start = utcnow() - timedelta(hours=1)
    ids = []
    for i in range(15):
        author = (ann, bob, stranger)[i % 3]
        post = Post(
            body=f"post {i} #climb",
            user_id=row_id(author),
            timestamp=start + timedelta(seconds=i),
        )
        session.add(post)
        session.flush()
        ids.append(row_id(post))
    session.commit()
    return reader, ann, bob, ids


@pytest.mark.parametrize("plan", [SCAN, MERGE])
def test_home_timeline_pages_up_with_min_id(
    session: Session, add_user: AddUser, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    reader, _ann, bob, ids = _world(session, add_user)
    mine = create_post(session, author_id=row_id(reader), body="my own")
    session.commit()
    boost = reactions.boost_post(session, user_id=row_id(bob), post_id=ids[0])
    session.commit()
    assert boost is not None
    most = 10**9 if plan == MERGE else 0
    monkeypatch.setattr(timeline_service, "_max_merge_authors", lambda *_: most)
    everything = home_timeline(session, user_id=row_id(reader), page=1, per_page=40)
    entries = [_entry(item) for item in everything.items]
    assert row_id(mine) in entries and len(entries) == 11  # 10 followed + mine; boost moved

    def read(**bounds: int) -> Page:
        return home_timeline(session, user_id=row_id(reader), page=1, per_page=LIMIT, **bounds)

    _assert_covers(read, entries)


def test_explore_profile_and_tag_page_up_with_min_id(session: Session, add_user: AddUser) -> None:
    _reader, ann, _bob, ids = _world(session, add_user)
    everyone = [_entry(p) for p in explore_posts(session, page=1, per_page=40).items]
    assert sorted(everyone) == ids
    _assert_covers(lambda **b: explore_posts(session, page=1, per_page=LIMIT, **b), everyone)
    anns = [_entry(p) for p in user_posts(session, user_id=row_id(ann), page=1, per_page=40).items]
    assert len(anns) == 5
    _assert_covers(
        lambda **b: user_posts(session, user_id=row_id(ann), page=1, per_page=LIMIT, **b), anns
    )


def test_tag_pages_up_with_min_id(session: Session, add_user: AddUser) -> None:
    reader = add_user(session, "reader")
    ids = [
        row_id(create_post(session, author_id=row_id(reader), body=f"n{i} #climb"))
        for i in range(9)
    ]
    session.commit()

    def read(**bounds: int) -> Page:
        return tag_posts(session, name="Climb", viewer_id=0, page=1, per_page=LIMIT, **bounds)

    _assert_covers(read, ids)


def test_notifications_and_likers_page_up_with_min_id(session: Session, add_user: AddUser) -> None:
    author = add_user(session, "author")
    post = create_post(session, author_id=row_id(author), body="like me")
    fans = [add_user(session, f"fan{i}") for i in range(10)]
    session.commit()
    for fan in fans:
        reactions.like_post(session, user_id=row_id(fan), post_id=row_id(post))
        follow(session, follower_id=row_id(fan), followed_id=row_id(author))
        session.commit()
    lines = notifications.list_notifications(session, user_id=row_id(author), page=1, per_page=40)
    ids = [line.id for line in lines.items]
    assert len(ids) >= 10

    def read(**bounds: int) -> Page:
        return notifications.list_notifications(
            session, user_id=row_id(author), page=1, per_page=LIMIT, **bounds
        )

    _assert_covers(read, ids)

    fan_ids = sorted(row_id(fan) for fan in fans)

    def likers(**bounds: int) -> Page:
        found = reactions.likers(session, post_id=row_id(post), limit=LIMIT, **bounds)
        return Page(
            items=[_Id(i) for i in found], page=1, per_page=LIMIT, has_next=False, has_prev=False
        )

    _assert_covers(likers, fan_ids)


class _Id:
    def __init__(self, value: int) -> None:
        self.id = value


def _plans(engine: Engine, read: Callable[[Session], object]) -> list[str]:
    """The plans of the statements `read` sends that walk a feed (the page and its cards; not
    the one-row probe for the bound's time)."""
    sent = [
        (sql, parameters)
        for sql, parameters in statements_sent(engine, read)
        if " post " in f"{sql} " and "ORDER BY post.id DESC" not in sql  # not the probe
    ]
    assert sent, "no feed statement was sent"
    return plans_of(engine, sent, analyze=["post"])


@pytest.mark.parametrize("plan", [SCAN, MERGE])
def test_min_id_walks_start_at_the_bound_on_the_feeds_indexes(
    engine: Engine, add_user: AddUser, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    """A `min_id` page walks the feed's (…, timestamp, id) index from the bound's time: a
    range on the time, never on the post id (the walk from the oldest post of all, or by
    rowid, that the scale data set cannot afford)."""
    with Session(engine, expire_on_commit=False) as session:
        reader, ann, _bob, ids = _world(session, add_user)
    most = 10**9 if plan == MERGE else 0
    monkeypatch.setattr(timeline_service, "_max_merge_authors", lambda *_: most)
    bound = ids[len(ids) // 2]
    reads: list[Callable[[Session], object]] = [
        lambda db: home_timeline(db, user_id=row_id(reader), page=1, per_page=3, min_id=bound),
        lambda db: explore_posts(db, page=1, per_page=3, min_id=bound),
        lambda db: user_posts(db, user_id=row_id(ann), page=1, per_page=3, min_id=bound),
        lambda db: tag_posts(db, name="climb", viewer_id=0, page=1, per_page=3, min_id=bound),
    ]
    for read in reads:
        for described in _plans(engine, read):
            if engine.dialect.name == "sqlite":
                assert "rowid>" not in described and "rowid<" not in described, described
                if "USING COVERING INDEX ix_post_" in described:
                    assert "timestamp>" in described, described
            else:
                assert "Index Cond: (p.id" not in described, described
