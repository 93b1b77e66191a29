"""What pictures cost a list of cards: Explore's page 1 and a profile's page 1 (the service
functions the pages call, one session per call as `run_db` does), on the same data twice: no
post with pictures, then every post with four (the worst case: each card parses four
pictures and builds their URLs).

    python -m benchmarks.bench_media                   # SQLite in a temporary folder
    python -m benchmarks.bench_media --database-url postgresql://postgres@127.0.0.1/bench_media

The database is made by the migrations and filled with plain INSERTs (users, posts, attachment
rows and the posts' card copies as services/media/attachments.py writes them); no file is
stored, since a card reads names, not files. Results: docs/media.md.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.config import normalize_database_url
from microblog.db import make_engine
from microblog.models import MediaAttachment, Post, User, table_of
from microblog.services import posts
from microblog.services.media.attachments import media_json
from tests.conftest import migrate

USERS = 200
POSTS = 50_000
PER_PAGE = 25


def _seed(engine: Engine) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(table_of(User)),
            [
                {
                    "username": f"user{i}",
                    "email": f"user{i}@example.com",
                    "password_hash": "x",
                    "last_seen": now,
                    "created": now,
                }
                for i in range(1, USERS + 1)
            ],
        )
        rows = [
            {
                "body": f"post number {i} with some words in it",
                "body_html": f"<p>post number {i} with some words in it</p>",
                "user_id": i % USERS + 1,
                "timestamp": now - timedelta(seconds=POSTS - i),
                "language": "en",
            }
            for i in range(POSTS)
        ]
        for start in range(0, POSTS, 5000):
            conn.execute(insert(table_of(Post)), rows[start : start + 5000])


def _add_pictures(engine: Engine) -> None:
    """Four pictures on every post, as attach_media leaves them."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        ids = list(session.execute(text("SELECT id, user_id FROM post ORDER BY id")).all())
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            attachments = [
                MediaAttachment(
                    id=post_id * 4 + n,
                    user_id=user_id,
                    post_id=post_id,
                    position=n,
                    file_name=f"{post_id * 4 + n:064x}.jpg",
                    thumb_name=f"{post_id * 4 + n + 1:064x}.jpg",
                    content_type="image/jpeg",
                    width=1600,
                    height=1067,
                    thumb_width=400,
                    thumb_height=267,
                    blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
                    alt_text=f"A description of picture {n} of post {post_id}",
                    byte_size=250_000,
                    created_at=now,
                )
                for post_id, user_id in chunk
                for n in range(4)
            ]
            session.add_all(attachments)
            session.flush()
            for post_id, _ in chunk:
                mine = [a for a in attachments if a.post_id == post_id]
                session.execute(
                    update(table_of(Post))
                    .where(table_of(Post).c.id == post_id)
                    .values(media_json=media_json(mine))
                )
            session.commit()


def _time(call: Callable[[], object], iterations: int) -> dict[str, float]:
    for _ in range(10):
        call()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()

    def rank(p: float) -> float:
        return round(samples[max(0, math.ceil(p * len(samples)) - 1)], 3)

    return {"p50": rank(0.5), "p95": rank(0.95), "p99": rank(0.99)}


def _measure(engine: Engine, iterations: int) -> dict[str, dict[str, float]]:
    def explore() -> object:
        with Session(engine) as session:
            page = posts.explore_posts(session, page=1, per_page=PER_PAGE, viewer_id=1)
            assert len(page.items) == PER_PAGE
            return page

    def profile() -> object:
        with Session(engine) as session:
            return posts.user_posts(session, user_id=2, page=1, per_page=PER_PAGE, viewer_id=1)

    return {"explore": _time(explore, iterations), "profile": _time(profile, iterations)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="an empty database (default: a SQLite file)")
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        url = normalize_database_url(url)
        migrate(url)
        engine = make_engine(url)
        try:
            _seed(engine)
            without = _measure(engine, args.iterations)
            _add_pictures(engine)
            with Session(engine) as session:
                page = posts.explore_posts(session, page=1, per_page=PER_PAGE, viewer_id=1)
                assert all(len(card.media) == 4 for card in page.items)
            with_pictures = _measure(engine, args.iterations)
        finally:
            engine.dispose()
    print(
        json.dumps(
            {
                "database": engine.dialect.name,
                "posts": POSTS,
                "no pictures": without,
                "4 pictures on every post": with_pictures,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
