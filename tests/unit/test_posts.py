"""Posts and feeds: validation, the tutorial's followed-posts graph, and the two home-timeline
plans checked against a brute-force answer."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import microblog.services.timeline as timeline_service
from microblog.config import get_settings
from microblog.models import Follow, Post, User, utcnow
from microblog.schemas import Page, PostRow
from microblog.services.errors import Forbidden, Invalid, NotFound
from microblog.services.follows import follow, followed_ids
from microblog.services.pagination import page_window
from microblog.services.posts import count_user_posts, create_post, delete_post
from microblog.services.timeline import (
    MERGE,
    SCAN,
    SQLITE_MAX_MERGE_AUTHORS,
    _choose_plan,
    _rows_statement,
    home_timeline,
)
from tests.timeline_plans import _ids_merging_authors, _ids_scanning_recent_posts

AddUser = Callable[..., User]


# -- create_post ------------------------------------------------------------------------------


_MOST = get_settings().post_max_length


@pytest.mark.parametrize(
    "body", ["", "   ", "\n\t ", "x" * (_MOST + 1), " " + "y" * (_MOST + 1) + " "]
)
def test_create_post_refuses_empty_or_too_long(
    session: Session, add_user: AddUser, body: str
) -> None:
    john = add_user(session, "john")
    with pytest.raises(Invalid) as caught:
        create_post(session, author_id=john.id, body=body)
    assert set(caught.value.errors) == {"body"}
    assert count_user_posts(session, user_id=john.id) == 0


def test_delete_post_only_by_its_author(session: Session, add_user: AddUser) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    post = create_post(session, author_id=john.id, body="mine")
    session.commit()
    with pytest.raises(Forbidden):
        delete_post(session, post_id=post.id, user_id=susan.id)
    assert count_user_posts(session, user_id=john.id) == 1
    delete_post(session, post_id=post.id, user_id=john.id)
    session.commit()
    assert count_user_posts(session, user_id=john.id) == 0
    with pytest.raises(NotFound):
        delete_post(session, post_id=post.id, user_id=john.id)


def test_create_post_accepts_140_and_strips(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    full = create_post(session, author_id=john.id, body="x" * 140)
    padded = create_post(session, author_id=john.id, body="  hello  \n", language="")
    tagged = create_post(session, author_id=john.id, body="hola", language="es")
    session.commit()
    assert full.id is not None and full.body == "x" * 140
    assert padded.body == "hello"
    assert padded.language is None  # empty means unknown, not the language ""
    assert tagged.language == "es"
    assert count_user_posts(session, user_id=john.id) == 3
    # Surrounding whitespace does not count towards the limit.
    assert create_post(session, author_id=john.id, body=" " + "z" * 140 + " ").body == "z" * 140


# -- the tutorial's followed-posts test -------------------------------------------------------


def _bodies(page: Page[PostRow]) -> list[str]:
    return [row.body for row in page.items]


def test_follow_posts(session: Session, make_user: Callable[..., User]) -> None:
    """john follows susan & david, susan follows mary, mary follows david: each home feed holds
    the user's own posts and their followees', newest first."""
    john, susan, mary, david = (make_user(session, n) for n in ("john", "susan", "mary", "david"))
    now = utcnow()
    for user, seconds in ((john, 1), (susan, 4), (mary, 3), (david, 2)):
        session.add(
            Post(
                body=f"post from {user.username}",
                user_id=user.id,
                timestamp=now + timedelta(seconds=seconds),
            )
        )
    follow(session, follower_id=john.id, followed_id=susan.id)
    follow(session, follower_id=john.id, followed_id=david.id)
    follow(session, follower_id=susan.id, followed_id=mary.id)
    follow(session, follower_id=mary.id, followed_id=david.id)
    session.commit()

    expected = [
        (john, ["susan", "david", "john"]),
        (susan, ["susan", "mary"]),
        (mary, ["mary", "david"]),
        (david, ["david"]),
    ]
    for user, authors in expected:
        page = home_timeline(session, user_id=user.id, page=1, per_page=10)
        assert _bodies(page) == [f"post from {a}" for a in authors], user.username
        assert [row.author_username for row in page.items] == authors
        assert not page.has_next and not page.has_prev


def _force_plan(monkeypatch: pytest.MonkeyPatch, plan: str) -> None:
    """Make `home_timeline` pick `plan`, through the one threshold it reads (the followed ids it
    fetches and the plan must agree)."""
    most = 10**9 if plan == MERGE else 0
    monkeypatch.setattr(timeline_service, "_max_merge_authors", lambda *_: most)


@pytest.mark.parametrize("plan", [SCAN, MERGE])
def test_follow_posts_same_under_either_plan(
    session: Session,
    add_user: AddUser,
    monkeypatch: pytest.MonkeyPatch,
    plan: str,
) -> None:
    """Force each home-timeline plan in turn: the small graph must read the same."""
    john, susan, mary, david = (add_user(session, n) for n in ("john", "susan", "mary", "david"))
    now = utcnow()
    for user, seconds in ((john, 1), (susan, 4), (mary, 3), (david, 2)):
        session.add(
            Post(body=user.username, user_id=user.id, timestamp=now + timedelta(seconds=seconds))
        )
    for a, b in ((john, susan), (john, david), (susan, mary), (mary, david)):
        session.add(Follow(follower_id=a.id, followed_id=b.id))
    session.commit()
    _force_plan(monkeypatch, plan)

    feeds = {
        u.username: _bodies(home_timeline(session, user_id=u.id, page=1, per_page=10))
        for u in (john, susan, mary, david)
    }
    assert feeds == {
        "john": ["susan", "david", "john"],
        "susan": ["susan", "mary"],
        "mary": ["mary", "david"],
        "david": ["david"],
    }


# -- both plans against brute force on a random graph -----------------------------------------


def _random_site(
    session: Session, password_hash: str, seed: int = 1234, *, conversations: bool = True
) -> dict[int, set[int]]:
    """30 users with 0-14 followees each and 300 posts on few distinct timestamps (so many ties
    that only the id can order them); with `conversations`, also 120 replies (some answering
    their own author, some whose post is gone) and 90 boosts (some of the booster's own post,
    some of posts the reader never follows). Returns each user's author set (self + followees)."""
    rng = random.Random(seed)
    users = [
        User(username=f"user{i}", email=f"user{i}@example.com", password_hash=password_hash)
        for i in range(30)
    ]
    session.add_all(users)
    session.flush()
    ids = [u.id for u in users]
    authors: dict[int, set[int]] = {}
    follows = []
    for uid in ids:
        followees = rng.sample([i for i in ids if i != uid], rng.randint(0, 14))
        authors[uid] = {uid, *followees}
        follows += [{"follower_id": uid, "followed_id": f, "created": utcnow()} for f in followees]
    session.execute(insert(Follow), follows)
    base = utcnow() - timedelta(days=1)

    def moment(after: object = base) -> object:
        """A time at or after `after` (a reply or boost never predates its post), on a grid of
        whole seconds so that many entries tie."""
        return after + timedelta(seconds=rng.randint(0, 20 if after is not base else 60))  # type: ignore[operator]

    originals = [
        {
            "id": n + 1,
            "body": f"post {n}",
            "user_id": rng.choice(ids[:-1]),  # the last user never posts
            "timestamp": moment(),
        }
        for n in range(300)
    ]
    session.execute(insert(Post), originals)
    if conversations:
        replies = []
        for n in range(120):
            parent = rng.choice(originals)
            author = parent["user_id"] if rng.random() < 0.2 else rng.choice(ids)
            gone = rng.random() < 0.1  # the post answered was deleted: only its author is known
            replies.append(
                {
                    "id": 301 + n,
                    "body": f"reply {n}",
                    "user_id": author,
                    "timestamp": moment(parent["timestamp"]),
                    "reply_to_id": None if gone else parent["id"],
                    "reply_to_user_id": parent["user_id"],
                }
            )
        session.execute(insert(Post), replies)
        boosted: set[tuple[int, int]] = set()
        boosts = []
        for _ in range(90):
            original = rng.choice(originals + replies)
            booster = original["user_id"] if rng.random() < 0.15 else rng.choice(ids)
            if (original["id"], booster) in boosted:
                continue
            boosted.add((original["id"], booster))
            boosts.append(
                {
                    "id": 421 + len(boosts),
                    "body": "",
                    "user_id": booster,
                    "timestamp": moment(original["timestamp"]),
                    "boost_of_id": original["id"],
                }
            )
        session.execute(insert(Post), boosts)
    session.commit()
    return authors


def _expected_timeline(session: Session, authors: set[int]) -> list[int]:
    """The home timeline of a reader whose author set (self + followees) is `authors`, by its
    definition: the entries (posts, replies, boosts) of those authors; a reply only when it
    answers nobody known, its own author, or one of the authors; each post (an original and
    its boosts are one post) once, at its newest entry; newest first, ties broken by id."""
    entries = [
        p
        for p in session.exec(select(Post)).all()
        if p.user_id in authors
        and (
            p.reply_to_user_id is None
            or p.reply_to_user_id == p.user_id
            or p.reply_to_user_id in authors
        )
    ]
    newest: dict[int, Post] = {}
    for p in entries:
        shown = p.boost_of_id or p.id or 0
        if shown not in newest or (p.timestamp, p.id) > (newest[shown].timestamp, newest[shown].id):
            newest[shown] = p
    ordered = sorted(newest.values(), key=lambda p: (p.timestamp, p.id), reverse=True)
    return [p.id or 0 for p in ordered]


def test_home_timeline_plans_agree_with_brute_force(
    session: Session, password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan is picked by `len(authors)**2 > max(user id)`; whichever runs, every page of
    every user's feed must equal the definition, ties broken by id, offsets included."""
    authors = _random_site(session, password_hash)

    plans_used: list[str] = []
    real_choose = _choose_plan

    def spy_choose(*args: object) -> str:
        plans_used.append(real_choose(*args))  # type: ignore[arg-type]
        return plans_used[-1]

    monkeypatch.setattr(timeline_service, "_choose_plan", spy_choose)

    per_page = 7
    for uid, wanted in authors.items():
        expected = _expected_timeline(session, wanted)
        last = max(1, -(-len(expected) // per_page))
        for page in sorted({1, 2, 3, last - 1, last, last + 1} - {0}):  # and one past the end
            offset, limit = page_window(page, per_page)
            window = expected[offset : offset + limit]
            assert _ids_scanning_recent_posts(session, uid, offset, limit) == window, (uid, page)
            assert _ids_merging_authors(session, uid, offset, limit) == window, (uid, page)

            feed = home_timeline(session, user_id=uid, page=page, per_page=per_page)
            assert [row.entry_id for row in feed.items] == window[:per_page], (uid, page)
            assert feed.has_next == (len(expected) > offset + per_page)
            assert feed.has_prev == (page > 1)

    # The random graph is built so that both plans were exercised through home_timeline.
    assert {SCAN, MERGE} <= set(plans_used)


@pytest.mark.parametrize("plan", [SCAN, MERGE])
def test_each_plan_agrees_with_brute_force_for_many_author_counts(
    session: Session, password_hash: str, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    """The statements are built once per author count (SQLite's merge) or once for all (the
    rest) and then reused: every author count, reused or new, must give the definition's
    answer, and so must whole feeds forced onto either plan."""
    authors = _random_site(session, password_hash)
    run = _ids_scanning_recent_posts if plan == SCAN else _ids_merging_authors
    assert len({len(wanted) for wanted in authors.values()}) >= 10  # 1 to 15 authors
    for uid, wanted in [*authors.items(), *authors.items()]:  # the second round is cached
        expected = _expected_timeline(session, wanted)
        for offset, limit in ((0, 8), (8, 8), (5, 100), (3, 1), (len(expected), 3)):
            found = run(session, uid, offset, limit)
            assert found == expected[offset : offset + limit], (uid, offset, limit)

    _force_plan(monkeypatch, plan)
    for uid, wanted in authors.items():
        feed = home_timeline(session, user_id=uid, page=1, per_page=10)
        assert [row.entry_id for row in feed.items] == _expected_timeline(session, wanted)[:10]


@pytest.mark.parametrize("plan", [SCAN, MERGE])
def test_plain_posts_read_as_plain_columns(
    session: Session, password_hash: str, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    """The page is read as plain columns, not ORM objects: it must still equal PostRow.of."""
    authors = _random_site(session, password_hash, conversations=False)
    _force_plan(monkeypatch, plan)
    users = {u.id: u for u in session.exec(select(User)).all()}
    posts = {p.id: p for p in session.exec(select(Post)).all()}
    for uid, wanted in authors.items():
        expected = _expected_timeline(session, wanted)[:10]
        feed = home_timeline(session, user_id=uid, page=1, per_page=10)
        assert feed.items == [PostRow.of(posts[i], users[posts[i].user_id]) for i in expected]


def _entry(session: Session, user: User, at: int, **columns: object) -> int:
    post = Post(
        body="" if "boost_of_id" in columns else f"{user.username} at {at}",
        user_id=user.id,
        timestamp=utcnow() - timedelta(hours=1) + timedelta(seconds=at),
        **columns,
    )
    session.add(post)
    session.flush()
    return post.id or 0


@pytest.mark.parametrize("plan", [SCAN, MERGE])
def test_each_post_once_at_its_newest_appearance(
    session: Session, add_user: AddUser, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    """A post boosted by two followed people shows once, as the newer boost; a followed
    author's post that someone followed boosted later shows once, as that boost; a stranger's
    post shows only through a boost."""
    reader, amy, ben, stranger = (add_user(session, n) for n in ("reader", "amy", "ben", "zed"))
    for followed in (amy, ben):
        session.add(Follow(follower_id=reader.id, followed_id=followed.id))
    strangers_post = _entry(session, stranger, 1)
    amys_post = _entry(session, amy, 2)
    amy_boosts = _entry(session, amy, 3, boost_of_id=strangers_post)
    ben_boosts = _entry(session, ben, 4, boost_of_id=strangers_post)
    ben_boosts_amy = _entry(session, ben, 5, boost_of_id=amys_post)
    session.commit()
    _force_plan(monkeypatch, plan)
    feed = home_timeline(session, user_id=reader.id, page=1, per_page=10)
    assert [row.entry_id for row in feed.items] == [ben_boosts_amy, ben_boosts]
    assert [row.id for row in feed.items] == [amys_post, strangers_post]
    assert [row.boosted_by for row in feed.items] == ["ben", "ben"]
    assert amy_boosts not in {row.entry_id for row in feed.items}


@pytest.mark.parametrize("plan", [SCAN, MERGE])
def test_the_reply_rule(
    session: Session, add_user: AddUser, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    """A followed author's reply shows when it answers the reader, someone the reader follows,
    its own author, or a post that is gone; not when it answers a stranger."""
    reader, amy, stranger = (add_user(session, n) for n in ("reader", "amy", "zed"))
    session.add(Follow(follower_id=reader.id, followed_id=amy.id))
    to_reader = _entry(session, amy, 1, reply_to_user_id=reader.id)
    to_herself = _entry(session, amy, 2, reply_to_user_id=amy.id)
    to_stranger = _entry(session, amy, 3, reply_to_user_id=stranger.id)
    reader_to_stranger = _entry(session, reader, 4, reply_to_user_id=stranger.id)
    parent_gone = _entry(session, amy, 5, reply_to_user_id=None)
    session.commit()
    _force_plan(monkeypatch, plan)
    shown = [
        row.entry_id for row in home_timeline(session, user_id=reader.id, page=1, per_page=10).items
    ]
    assert shown == [parent_gone, to_herself, to_reader]
    assert to_stranger not in shown and reader_to_stranger not in shown


@pytest.mark.parametrize("plan", [SCAN, MERGE])
def test_own_boosts_do_not_hide_older_posts(
    session: Session, add_user: AddUser, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    """amy boosts her own two newest posts and ben boosts them again later: her four newest
    entries all give way to ben's two boosts, and her older post must still follow them on
    the first page (each author's branch of the merge counts only entries that are shown)."""
    reader, amy, ben = (add_user(session, n) for n in ("reader", "amy", "ben"))
    for followed in (amy, ben):
        session.add(Follow(follower_id=reader.id, followed_id=followed.id))
    older = _entry(session, amy, 1)
    first, second = _entry(session, amy, 2), _entry(session, amy, 3)
    for at, post in ((4, first), (5, second)):
        _entry(session, amy, at, boost_of_id=post)
    ben_first = _entry(session, ben, 6, boost_of_id=first)
    ben_second = _entry(session, ben, 7, boost_of_id=second)
    session.commit()
    _force_plan(monkeypatch, plan)
    page = home_timeline(session, user_id=reader.id, page=1, per_page=2)
    assert [row.entry_id for row in page.items] == [ben_second, ben_first] and page.has_next
    page = home_timeline(session, user_id=reader.id, page=2, per_page=2)
    assert [row.entry_id for row in page.items] == [older] and not page.has_next


def test_statements_are_built_once(engine: Engine) -> None:
    dialect = engine.dialect.name
    assert _rows_statement(dialect, SCAN, 0) is _rows_statement(dialect, SCAN, 0)
    if dialect == "sqlite":
        assert _rows_statement(dialect, MERGE, 12) is _rows_statement(dialect, MERGE, 12)
        assert _rows_statement(dialect, MERGE, 12) is not _rows_statement(dialect, MERGE, 13)
        merge = str(_rows_statement(dialect, MERGE, 12))
        assert ":a11 " in merge and ":a12 " not in merge  # one branch per author
    else:  # one statement for any number of authors, who are read from `follow`
        sql = str(_rows_statement(dialect, MERGE, 0))
        assert "LATERAL" in sql and "FROM follow" in sql and ":a0" not in sql
    assert "FROM follow" in str(_rows_statement(dialect, SCAN, 0))


def test_merge_handles_sqlite_compound_limit(session: Session, password_hash: str) -> None:
    """SQLite allows 500 terms in a compound SELECT: the merge must work up to there, and the
    chooser must never send it more (PostgreSQL has no such limit)."""
    n = SQLITE_MAX_MERGE_AUTHORS
    session.execute(
        insert(User),
        [
            {"id": i, "username": f"u{i}", "email": f"u{i}@example.com", "password_hash": "x"}
            for i in range(1, n + 1)
        ],
    )
    session.execute(insert(Follow), [{"follower_id": 1, "followed_id": i} for i in range(2, n + 1)])
    base = utcnow()
    session.execute(
        insert(Post),
        [
            {"body": "x", "user_id": i, "timestamp": base + timedelta(seconds=i % 7)}
            for i in range(1, n + 1)
        ],
    )
    session.commit()
    expected = _expected_timeline(session, set(range(1, n + 1)))[:26]
    assert _ids_merging_authors(session, 1, 0, 26) == expected
    assert _ids_scanning_recent_posts(session, 1, 0, 26) == expected
    dialect = session.get_bind().dialect.name
    too_many = SQLITE_MAX_MERGE_AUTHORS + 1
    expected = SCAN if dialect == "sqlite" else MERGE
    assert _choose_plan(too_many, 10**9, dialect) == expected


@pytest.mark.parametrize(
    ("authors", "population", "dialect", "plan"),
    [
        (501, 10_000, "sqlite", SCAN),  # `heavy` in the scale data set
        (501, 10_000, "postgresql", SCAN),
        (51, 10_000, "sqlite", SCAN),  # `user2`: SQLite's merge costs 25 times more per entry
        (20, 10_000, "sqlite", MERGE),
        (21, 10_000, "sqlite", SCAN),
        (51, 10_000, "postgresql", MERGE),
        (100, 10_000, "postgresql", MERGE),  # k * k == N: merge
        (101, 10_000, "postgresql", SCAN),
        (1, 1, "sqlite", MERGE),  # a new site: one user reading their own posts
        (2, 1, "sqlite", SCAN),  # a stale population is only a slower plan, never wrong
        (600, 10**6, "sqlite", SCAN),  # past SQLite's compound SELECT limit
        (600, 10**6, "postgresql", MERGE),
    ],
)
def test_choose_plan(authors: int, population: int, dialect: str, plan: str) -> None:
    assert _choose_plan(authors, population, dialect) == plan


@contextmanager
def _statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def listener(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_population_and_plan_are_remembered_for_a_while(
    engine: Engine, add_user: AddUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The user count and each reader's plan only steer the choice, so they are read once per
    TTL: a warm home timeline is one statement, the page with its authors (two on SQLite's
    merge, which binds the followed ids one by one and so reads them every time)."""
    with Session(engine) as session:
        john = add_user(session, "john")
        session.commit()
        with _statements(engine) as seen:
            home_timeline(session, user_id=john.id, page=1, per_page=10)
        assert sum("max(" in sql.lower() for sql in seen) == 1
        with _statements(engine) as seen:
            home_timeline(session, user_id=john.id, page=1, per_page=10)
        warm = 2 if engine.dialect.name == "sqlite" else 1  # john follows nobody: merge
        assert len(seen) == warm and not any("max(" in sql.lower() for sql in seen)
        # Expire both at once: the choice is made again, from a fresh count.
        monkeypatch.setattr(timeline_service, "POPULATION_TTL_SECONDS", 0.0)
        monkeypatch.setattr(timeline_service, "PLAN_TTL_SECONDS", 0.0)
        with _statements(engine) as seen:
            home_timeline(session, user_id=john.id, page=1, per_page=10)
        assert sum("max(" in sql.lower() for sql in seen) == 1


@pytest.mark.parametrize("remembered", [SCAN, MERGE])
def test_a_remembered_plan_still_shows_a_new_follow_at_once(
    session: Session, add_user: AddUser, remembered: str
) -> None:
    """Whichever plan a reader's earlier page chose, following someone shows their posts on
    the very next page: every plan reads the authors inside its own statement (or, on SQLite's
    merge, reads them again), so a remembered choice can cost time, never posts."""
    reader, friend, stranger = (add_user(session, n) for n in ("reader", "friend", "stranger"))
    session.add_all(
        [
            Post(body="from friend", user_id=friend.id),
            Post(body="from stranger", user_id=stranger.id),
            Post(body="from reader", user_id=reader.id),
        ]
    )
    session.add(Follow(follower_id=reader.id, followed_id=friend.id))
    session.commit()
    assert set(_bodies(home_timeline(session, user_id=reader.id, page=1, per_page=10))) == {
        "from friend",
        "from reader",
    }
    timeline_service._remember_plan(session, reader.id, remembered)
    session.add(Follow(follower_id=reader.id, followed_id=stranger.id))
    session.commit()
    shown = _bodies(home_timeline(session, user_id=reader.id, page=1, per_page=10))
    assert set(shown) == {"from friend", "from stranger", "from reader"}
    session.delete(session.get(Follow, (reader.id, friend.id)))
    session.commit()
    shown = _bodies(home_timeline(session, user_id=reader.id, page=1, per_page=10))
    assert set(shown) == {"from stranger", "from reader"}


def test_followed_ids_up_to_a_limit(session: Session, add_user: AddUser) -> None:
    """The home timeline reads at most one followed id more than the merge plan takes."""
    reader, *others = (add_user(session, f"user{i}") for i in range(6))
    for other in others:
        session.add(Follow(follower_id=reader.id, followed_id=other.id))
    session.commit()
    everyone = {u.id for u in others}
    assert set(followed_ids(session, user_id=reader.id)) == everyone
    for limit in (0, 1, 3, 5, 9):
        some = followed_ids(session, user_id=reader.id, limit=limit)
        assert len(some) == min(limit, 5) and set(some) <= everyone


def test_home_timeline_sees_unflushed_changes(session: Session, add_user: AddUser) -> None:
    """The statements go through the session, which flushes pending objects first."""
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.add(Post(body="from susan", user_id=susan.id))
    session.add(Follow(follower_id=john.id, followed_id=susan.id))
    assert _bodies(home_timeline(session, user_id=john.id, page=1, per_page=10)) == ["from susan"]
