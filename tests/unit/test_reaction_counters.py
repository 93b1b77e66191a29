"""The counters on a post stay equal to the rows they count while many people like, unlike,
boost, unboost, reply and delete at once, each in their own transaction on their own
connection (a file database on SQLite, the real server on PostgreSQL).

The services move a counter with one `UPDATE … SET n = n + 1` in the transaction that added or
removed the row, and only when the row really came or went; these tests are what would catch a
read-modify-write or a counter moved for a row another transaction had already removed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from contextlib import suppress

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.models import Like, Post, User, table_of
from microblog.services import posts, reactions
from microblog.services.errors import NotFound

THREADS = 16
TOGGLES = 25

_POST = table_of(Post).c
_LIKE = table_of(Like).c


def _run_together(workers: list[Callable[[], None]]) -> None:
    """Start every worker at the same moment; re-raise the first failure."""
    start = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        start.wait()
        try:
            work()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    if failures:
        raise failures[0]


def _users_and_post(
    engine: Engine, add_user: Callable[..., User], count: int
) -> tuple[list[int], int]:
    with Session(engine) as session:
        users = [add_user(session, f"user{i}").id for i in range(count)]
        post = posts.create_post(session, author_id=users[0], body="the post everyone reacts to")
        session.commit()
        return users, post.id or 0


def _counters(engine: Engine, post_id: int) -> tuple[int, int, int]:
    with Session(engine) as session:
        row = session.execute(
            select(_POST.like_count, _POST.boost_count, _POST.reply_count).where(
                _POST.id == post_id
            )
        ).one()
        return row[0], row[1], row[2]


def _rows(engine: Engine, post_id: int) -> tuple[int, int, int]:
    """Likes, boosts and replies of the post, counted."""
    with Session(engine) as session:
        likes = session.execute(
            select(func.count()).select_from(Like).where(_LIKE.post_id == post_id)
        ).scalar_one()
        boosts = session.execute(
            select(func.count()).select_from(Post).where(_POST.boost_of_id == post_id)
        ).scalar_one()
        replies = session.execute(
            select(func.count()).select_from(Post).where(_POST.reply_to_id == post_id)
        ).scalar_one()
        return int(likes), int(boosts), int(replies)


def test_likes_and_boosts_counted_exactly_under_concurrency(
    engine: Engine, add_user: Callable[..., User]
) -> None:
    """16 threads, two per user (two tabs of one person clicking at once), each toggling like
    and boost 25 times at random, every toggle its own committed transaction; a boost is undone
    as often through `delete_post` of the boost row as through `unboost_post`."""
    users, post_id = _users_and_post(engine, add_user, THREADS // 2)

    def toggler(user_id: int, seed: int) -> Callable[[], None]:
        rng = random.Random(seed)

        def work() -> None:
            for _ in range(TOGGLES):
                action = rng.choice(("like", "unlike", "boost", "unboost", "delete boost"))
                with Session(engine, expire_on_commit=False) as session:
                    if action == "like":
                        reactions.like_post(session, user_id=user_id, post_id=post_id)
                    elif action == "unlike":
                        reactions.unlike_post(session, user_id=user_id, post_id=post_id)
                    elif action == "boost":
                        reactions.boost_post(session, user_id=user_id, post_id=post_id)
                    elif action == "unboost":
                        reactions.unboost_post(session, user_id=user_id, post_id=post_id)
                    else:
                        boost = session.execute(
                            select(_POST.id).where(
                                _POST.boost_of_id == post_id, _POST.user_id == user_id
                            )
                        ).scalar()
                        if boost is not None:
                            with suppress(NotFound):  # the other tab undid it first
                                posts.delete_post(session, post_id=boost, user_id=user_id)
                    session.commit()

        return work

    _run_together([toggler(users[i // 2], seed=i) for i in range(THREADS)])

    likes, boosts, _ = _rows(engine, post_id)
    like_count, boost_count, _ = _counters(engine, post_id)
    assert (like_count, boost_count) == (likes, boosts)
    assert 0 <= likes <= len(users) and 0 <= boosts <= len(users)


def test_reply_count_exact_under_concurrent_replies_and_deletes(
    engine: Engine, add_user: Callable[..., User]
) -> None:
    """16 threads (two per user) reply to one post and delete their user's replies, 25 times
    each; both tabs of a user may try to delete the same reply at once, which must take one
    off the counter, not two."""
    users, post_id = _users_and_post(engine, add_user, THREADS // 2)

    def replier(user_id: int, seed: int) -> Callable[[], None]:
        rng = random.Random(seed)

        def work() -> None:
            for n in range(TOGGLES):
                with Session(engine, expire_on_commit=False) as session:
                    mine = (
                        session.execute(
                            select(_POST.id).where(
                                _POST.reply_to_id == post_id, _POST.user_id == user_id
                            )
                        )
                        .scalars()
                        .all()
                    )
                    if mine and rng.random() < 0.45:
                        with suppress(NotFound):  # the other tab deleted it first
                            posts.delete_post(session, post_id=min(mine), user_id=user_id)
                    else:
                        posts.create_post(
                            session,
                            author_id=user_id,
                            body=f"reply {n} from {user_id}",
                            language="en",
                            reply_to_id=post_id,
                        )
                    session.commit()

        return work

    _run_together([replier(users[i // 2], seed=100 + i) for i in range(THREADS)])

    _, _, replies = _rows(engine, post_id)
    assert _counters(engine, post_id)[2] == replies
    assert replies > 0  # the test did reply (deletes are fewer than replies)


@pytest.mark.parametrize("undo", ["unlike", "unboost"])
def test_undoing_what_was_never_done_changes_nothing(
    engine: Engine, add_user: Callable[..., User], undo: str
) -> None:
    """Many threads undoing a like or boost nobody made leave the counters at zero."""
    users, post_id = _users_and_post(engine, add_user, 4)

    def work(user_id: int) -> Callable[[], None]:
        def run() -> None:
            for _ in range(10):
                with Session(engine) as session:
                    getattr(reactions, f"{undo}_post")(session, user_id=user_id, post_id=post_id)
                    session.commit()

        return run

    _run_together([work(users[i % 4]) for i in range(8)])
    assert _counters(engine, post_id) == (0, 0, 0)
