"""The notifications list at scale: one user with about 450,000 notifications, most of them
likes and boosts of their 5,000 posts (one post liked by 9,000 people), grouped one line per
post and kind (docs/performance.md, "Notifications grouped").

    python -m benchmarks.bench_notifications --database-url sqlite:////tmp/microblog-notes.db
    python -m benchmarks.bench_notifications --database-url postgresql://postgres@127.0.0.1/bench

The database is emptied and filled (its own, not the feed benchmark's). The rows go in in a
random order, so every page mixes groups; each group's line is set by migration 0021's own
backfill statements. Each figure times the service function a page calls, one unit of work per
call, as the pages do; "grouped when read" is the obvious statement without the stored lines (a
GROUP BY over every row of the user), for comparison.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.bench_data import add_users, empty_tables
from benchmarks.bench_feeds import Figure, measure
from microblog.config import normalize_database_url
from microblog.db import make_engine, read, session_scope
from microblog.models import Notification, Post, User, row_id, table_of, utcnow
from microblog.services import notifications, reactions

USERS = 10_000
POSTS = 5_000
VIRAL_LIKES = 9_000
MOST_LIKES = 150  # a post's likes: uniform in 0..MOST_LIKES (the viral one aside)
BOOST_SHARE = 10  # a post's boosts: a tenth of its likes
OTHER = 20_000  # followers, replies, mentions
BATCH = 20_000
HEAVY, TYPICAL = 1, 2
_ONE_LINE = "uq_notification_group_line"


def _migration() -> Any:
    """Migration 0021, whose backfill statements set the seeded groups' lines."""
    path = Path(__file__).parent.parent / "alembic/versions/20261204_0021_notification_groups.py"
    spec = importlib.util.spec_from_file_location("migration_0021", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The obvious statement without stored lines: group every row of the user when reading.
_GROUPED_WHEN_READ = """
SELECT MAX(id) AS newest, kind, post_id, COUNT(*) - 1 AS others
FROM notification WHERE user_id = :user_id
GROUP BY kind, CASE WHEN kind IN ('like', 'boost') THEN post_id ELSE -id END, post_id
ORDER BY newest DESC LIMIT :limit OFFSET :offset
"""


def _rows(rng: random.Random, users: int, posts: list[int]) -> list[dict[str, Any]]:
    """The heavy user's notifications (and a typical user's few), in a random order."""
    people = range(3, users + 1)
    rows: list[dict[str, Any]] = []
    for n, post in enumerate(posts):
        likes = VIRAL_LIKES if n == 0 else rng.randint(0, MOST_LIKES)
        for kind, count in (("like", likes), ("boost", likes // BOOST_SHARE)):
            rows += [
                {"user_id": HEAVY, "kind": kind, "actor_id": actor, "post_id": post}
                for actor in rng.sample(people, min(count, len(people)))
            ]
    for _ in range(OTHER):
        kind = rng.choice(("follower", "reply", "mention"))
        post = rng.choice(posts) if kind != "follower" else None
        rows.append(
            {"user_id": HEAVY, "kind": kind, "actor_id": rng.choice(people), "post_id": post}
        )
    rows += [
        {"user_id": TYPICAL, "kind": "follower", "actor_id": rng.choice(people), "post_id": None}
        for _ in range(200)
    ]
    rng.shuffle(rows)
    return rows


def seed(engine: Engine, *, users: int) -> tuple[float, int]:
    """Empty the database's tables and fill users, the heavy user's posts and notifications;
    returns (seconds, rows)."""
    from microblog.cli import migrate

    migrate(engine.url.render_as_string(hide_password=False))
    started = time.perf_counter()
    now = utcnow()
    with engine.begin() as conn:
        empty_tables(conn)
        add_users(conn, users)
        conn.execute(
            insert(table_of(Post)),
            [
                {"body": f"post {n}", "body_html": "", "user_id": HEAVY, "timestamp": now}
                for n in range(POSTS)
            ],
        )
        posts = [row[0] for row in conn.execute(text("SELECT id FROM post ORDER BY id"))]
    rows = _rows(random.Random(19), users, posts)
    # Every row goes in as a line; the backfill then leaves one per group, as 0021 does.
    (one_line,) = (i for i in table_of(Notification).indexes if i.name == _ONE_LINE)
    with engine.begin() as conn:
        one_line.drop(conn)
    for start in range(0, len(rows), BATCH):
        with engine.begin() as conn:
            conn.execute(
                insert(table_of(Notification)).values(created=now, others=0),
                rows[start : start + BATCH],
            )
    migration = _migration()
    with engine.begin() as conn:
        conn.exec_driver_sql(migration._OLDER_ROWS_ARE_NO_LINES)
        conn.exec_driver_sql(migration._LINES_COUNT_THE_OTHERS)
        one_line.create(conn)
        # Half of the heavy user's notifications read: the badge counts the rest (up to 100).
        middle = conn.execute(
            text("SELECT id FROM notification WHERE user_id = 1 ORDER BY id LIMIT 1 OFFSET :n"),
            {"n": len(rows) // 2},
        ).scalar_one()
        conn.execute(
            update(table_of(User))
            .where(table_of(User).c.id == HEAVY)
            .values(last_notification_read_id=middle)
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started, len(rows)


def run(engine: Engine, *, iterations: int, per_page: int) -> list[Figure]:
    with engine.connect() as conn:
        total, lines = conn.execute(
            text(
                "SELECT COUNT(*), COUNT(others) FROM notification WHERE user_id = :u",
            ),
            {"u": HEAVY},
        ).one()
        viral = conn.execute(text("SELECT MIN(id) FROM post")).scalar_one()
    with session_scope(engine) as db:  # someone not among the seeded likers
        name = f"liker{time.time_ns()}"
        user = User(username=name, email=f"{name}@example.com", password_hash="-")  # noqa: S106
        db.add(user)
        db.flush()
        liker = row_id(user)

    def reading(work: Callable[[Session], Any]) -> Callable[[], Any]:
        return lambda: read(work, engine)

    def writing(work: Callable[[Session], Any]) -> Callable[[], Any]:
        def unit() -> Any:
            with session_scope(engine) as db:
                return work(db)

        return unit

    def listing(user: int, page: int) -> Callable[[], Any]:
        return reading(
            lambda db: notifications.list_notifications(
                db, user_id=user, page=page, per_page=per_page
            )
        )

    def grouped_when_read(page: int) -> Callable[[], Any]:
        parameters = {"user_id": HEAVY, "limit": per_page + 1, "offset": (page - 1) * per_page}
        return reading(lambda db: db.execute(text(_GROUPED_WHEN_READ), parameters).all())

    def like_and_take_back(db: Session) -> None:
        reactions.like_post(db, user_id=liker, post_id=viral)
        db.flush()
        reactions.unlike_post(db, user_id=liker, post_id=viral)

    operations: list[tuple[str, Callable[[], Any], str, int]] = [
        ("list page 1, heavy user", listing(HEAVY, 1), f"{total:,} rows, {lines:,} lines", 1),
        ("list page 40, heavy user", listing(HEAVY, 40), "", 1),
        ("list page 1, typical user", listing(TYPICAL, 1), "200 rows", 1),
        ("unread badge (lines), heavy user", reading(_badge), "", 1),
        ("grouped when read: page 1", grouped_when_read(1), "for comparison", 10),
        ("grouped when read: page 40", grouped_when_read(40), "for comparison", 10),
        (
            "like then unlike the 9,000-like post",
            writing(like_and_take_back),
            "the line moves twice",
            1,
        ),
    ]
    figures = []
    for name, work, note, slower in operations:
        count = max(10, iterations // slower)
        samples = measure(work, iterations=count, warmup=max(3, count // 10))
        figures.append(Figure("notifications", name, samples, note))
        print(figures[-1].line(), flush=True)
    return figures


def _badge(db: Session) -> int:
    return notifications.unread_count(db, user_id=HEAVY)


def explain(engine: Engine, per_page: int) -> None:
    """PostgreSQL's own execution time of a page's statement (page 1 and 40)."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy.dialects import postgresql

    from microblog.services.notifications import _LIST

    for page in (1, 40):
        compiled = _LIST.compile(
            dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True}
        )
        parameters = {"user_id": HEAVY, "offset": (page - 1) * per_page, "limit": per_page + 1}
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), parameters
            ).all()
        print(f"page {page}:")
        print("\n".join("    " + row[0] for row in plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/microblog-notes.db")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--per-page", type=int, default=25)
    parser.add_argument("--no-seed", action="store_true", help="use the data already there")
    parser.add_argument("--explain", action="store_true", help="PostgreSQL's plans too")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    engine = make_engine(normalize_database_url(args.database_url))
    if not args.no_seed:
        print(f"Seeding {args.users:,} users and the heavy user's notifications ...", flush=True)
        seconds, rows = seed(engine, users=args.users)
        print(f"Seeded {rows:,} notifications in {seconds:.1f} s.")
    print(f"{engine.dialect.name}:")
    figures = run(engine, iterations=args.iterations, per_page=args.per_page)
    if args.explain:
        explain(engine, args.per_page)
    if args.json:
        with open(args.json, "w") as out:
            json.dump([f.as_dict() for f in figures], out, indent=1)
    engine.dispose()


if __name__ == "__main__":
    main()
