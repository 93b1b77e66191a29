"""Fill the database with demo data (a living site for newcomers) or the scale data set used by
the benchmarks (10,000 users, 1,000,000 posts, 50 follows each, one user following 500).

Bulk inserts go through SQLAlchemy Core in large batches; a scale seed takes a few minutes.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.models import AuthSession, Follow, LoginTicket, Post, User, utcnow
from microblog.security import hash_password
from microblog.services.lookalikes import username_skeleton
from microblog.services.search import vocabulary
from microblog.services.search.analysis import vocabulary_terms

DEMO_PASSWORD = "microblog-demo"  # noqa: S105 (demo data only)
HEAVY_FOLLOWER = "heavy"

_WORDS = """
reflex python sqlite postgres coffee morning release friday weekend garden bike rain sunny music
guitar book chapter tutorial flask websocket live feed follow microblog deploy test pytest benchmark
index query cache redis search travel train city river mountain bread pizza dinner friends family
cat dog walk run code review ship bug fix idea plan week
""".split()  # noqa: SIM905 (a word list reads better as text)
_OPENERS = ("Just", "Today I", "Finally", "Anyone else", "Thinking about", "Loving", "New post:")
_ABOUT = (
    "Python developer and occasional baker.",
    "I write tests before breakfast.",
    "Databases, bicycles and bad puns.",
    "Learning Reflex one page at a time.",
    "Here for the microblogging.",
    "Coffee first, then code.",
)
_DEMO_NAMES = (
    "susan",
    "john",
    "mary",
    "david",
    "amira",
    "kenji",
    "lucia",
    "olga",
    "pedro",
    "wei",
    "nadia",
    "tom",
)


def _sentence(rng: random.Random) -> str:
    words = rng.sample(_WORDS, rng.randint(4, 12))
    return f"{rng.choice(_OPENERS)} {' '.join(words)}."[:140]


def _clear(engine: Engine) -> None:
    """Remove every user and everything that hangs off them.

    PostgreSQL: one TRUNCATE, which frees the pages at once and restarts the id sequences.
    DELETE would leave a million dead rows behind (a much slower re-seed, and index-only
    scans that still visit the table until a VACUUM). CASCADE also empties any table that
    references these. SQLite: DELETE, whose foreign keys cascade the same way.
    """
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                'TRUNCATE login_ticket, auth_session, post, follow, "user" RESTART IDENTITY CASCADE'
            )
            return
        for model in (LoginTicket, AuthSession, Post, Follow, User):
            conn.execute(delete(model))


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed_demo(engine: Engine, *, seed: int = 7) -> dict[str, int]:
    """A dozen users with bios, a few hundred posts over four weeks, and a web of follows."""
    rng = random.Random(seed)
    _clear(engine)
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "id": i + 1,
                    "username": name,
                    "username_skeleton": username_skeleton(name),
                    "email": f"{name}@example.com",
                    "password_hash": password_hash,
                    "about_me": rng.choice(_ABOUT),
                    "last_seen": now - timedelta(minutes=rng.randint(1, 5000)),
                    "created": now - timedelta(days=35),
                }
                for i, name in enumerate(_DEMO_NAMES)
            ],
        )
        ids = list(range(1, len(_DEMO_NAMES) + 1))
        follows = {(a, b) for a in ids for b in rng.sample(ids, 5) if a != b}
        conn.execute(
            insert(Follow),
            [{"follower_id": a, "followed_id": b, "created": now} for a, b in sorted(follows)],
        )
        posts: list[dict[str, Any]] = [
            {
                "body": _sentence(rng),
                "user_id": rng.choice(ids),
                "timestamp": now - timedelta(minutes=rng.randint(1, 28 * 24 * 60)),
                "language": "en",
            }
            for _ in range(360)
        ]
        conn.execute(insert(Post), posts)
    _fill_search_vocabulary(engine, {t for p in posts for t in vocabulary_terms(p["body"])})
    _reset_sequences(engine)
    return {"users": len(ids), "posts": len(posts), "follows": len(follows)}


def seed_scale(
    engine: Engine,
    *,
    users: int = 10_000,
    posts: int = 1_000_000,
    follows_each: int = 50,
    heavy_follows: int = 500,
    seed: int = 42,
    progress: Callable[[str], object] = print,
) -> dict[str, int]:
    """The benchmark data set. User 1 is `heavy`, who follows `heavy_follows` users."""
    rng = random.Random(seed)
    _clear(engine)
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    span_minutes = 365 * 24 * 60

    def user_rows() -> Iterator[dict[str, Any]]:
        for i in range(1, users + 1):
            name = HEAVY_FOLLOWER if i == 1 else f"user{i}"
            yield {
                "id": i,
                "username": name,
                "username_skeleton": username_skeleton(name),
                "email": f"{name}@example.com",
                "password_hash": password_hash,
                "about_me": _ABOUT[i % len(_ABOUT)],
                "last_seen": now - timedelta(minutes=rng.randint(1, span_minutes)),
                "created": now - timedelta(days=400),
            }

    def follow_rows() -> Iterator[dict[str, Any]]:
        for follower in range(1, users + 1):
            wanted = heavy_follows if follower == 1 else follows_each
            # One spare pick in case the follower draws themself; keep exactly `wanted`.
            picks = rng.sample(range(1, users + 1), min(wanted + 1, users))
            for followed in [p for p in picks if p != follower][:wanted]:
                yield {"follower_id": follower, "followed_id": followed, "created": now}

    terms: set[str] = set()

    def post_rows() -> Iterator[dict[str, Any]]:
        for _ in range(posts):
            body = _sentence(rng)
            terms.update(vocabulary_terms(body))
            yield {
                "body": body,
                "user_id": rng.randint(1, users),
                "timestamp": now - timedelta(seconds=rng.randint(60, span_minutes * 60)),
                "language": "en",
            }

    counts = {"users": 0, "follows": 0, "posts": 0}
    for name, model, rows in (
        ("users", User, user_rows()),
        ("follows", Follow, follow_rows()),
        ("posts", Post, post_rows()),
    ):
        for batch in _batches(rows, 20_000):
            with engine.begin() as conn:
                conn.execute(insert(model), batch)
            counts[name] += len(batch)
            if name == "posts" and counts[name] % 100_000 == 0:
                progress(f"  {counts[name]:,} posts")
        progress(f"{name}: {counts[name]:,}")
    _fill_search_vocabulary(engine, terms)
    _reset_sequences(engine)
    _analyze(engine)
    return counts


def _fill_search_vocabulary(engine: Engine, terms: set[str]) -> None:
    """The built-in search index follows the posts by itself (FTS5 triggers, a GIN index); its
    typo vocabulary is written by the post service, which bulk inserts bypass: add it here."""
    with Session(engine) as session:
        vocabulary.add_term_set(session, terms)
        session.commit()


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL: explicit ids leave the SERIAL sequence behind; move it past them."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('\"user\"', 'id'), "
            '(SELECT COALESCE(MAX(id), 1) FROM "user"))'
        )


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics, so the first queries after a bulk load use the indexes.

    PostgreSQL also gets a VACUUM, which sets the visibility map: without it an index-only scan
    still reads the table page of every row it returns, and a server with autovacuum off never
    catches up. VACUUM cannot run inside a transaction, hence the autocommit connection.
    """
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql('VACUUM (ANALYZE) "user", follow, post')
