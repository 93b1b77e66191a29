"""Private messages at scale: the Messages page, a conversation, the badge and sending, with
10,000 users and 1,000,000 messages (docs/messages.md).

    python -m benchmarks.bench_messages --database-url sqlite:////tmp/microblog-messages.db
    python -m benchmarks.bench_messages --database-url postgresql://postgres@127.0.0.1/bench

The database is emptied and filled (its own, not the feed benchmark's): every user writes
with about twenty others, and `heavy` (user 1) is in one message out of fifty, with 2,000
people, so their Messages page and busiest conversation are the worst case. Conversation rows
are built from the messages by the same statement as migration 0015's backfill. Each figure
times the service function a page calls, one unit of work per call, as the pages do.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.bench_data import add_users, empty_tables
from benchmarks.bench_feeds import Figure, measure
from microblog.config import normalize_database_url
from microblog.db import make_engine, read, session_scope
from microblog.models import Message, utcnow
from microblog.services import conversations, messages

USERS = 10_000
MESSAGES = 1_000_000
HEAVY_SHARE = 50  # the heavy user is in one message out of this many
HEAVY_PEOPLE = 2_000
BATCH = 20_000

_BACKFILL = """
INSERT INTO conversation (owner_id, other_id, last_message_id, unread)
SELECT sides.owner_id, sides.other_id, MAX(sides.id), SUM(sides.received)
FROM (
    SELECT sender_id AS owner_id, recipient_id AS other_id, id, 0 AS received FROM message
    UNION ALL
    SELECT recipient_id, sender_id, id, 1 FROM message
) AS sides
GROUP BY sides.owner_id, sides.other_id
"""


def seed(engine: Engine, *, users: int, total: int) -> float:
    """Empty the database's tables and fill users, messages and conversations."""
    from microblog.cli import migrate

    migrate(engine.url.render_as_string(hide_password=False))
    started = time.perf_counter()
    with engine.begin() as conn:
        empty_tables(conn)
        add_users(conn, users)
    rng = random.Random(19)
    friends = {u: rng.sample(range(2, users + 1), min(20, users - 1)) for u in range(2, users + 1)}
    heavy_people = rng.sample(range(2, users + 1), min(HEAVY_PEOPLE, users - 1))
    now = utcnow()
    sent = 0
    while sent < total:
        rows = []
        for _ in range(min(BATCH, total - sent)):
            if rng.randrange(HEAVY_SHARE) == 0:
                pair = (1, rng.choice(heavy_people))
            else:
                someone = rng.randrange(2, users + 1)
                pair = (someone, rng.choice(friends[someone]))
            sender, recipient = pair if rng.random() < 0.5 else pair[::-1]
            if sender != recipient:
                rows.append({"sender_id": sender, "recipient_id": recipient, "body": "hello there"})
        with engine.begin() as conn:
            conn.execute(insert(Message).values(timestamp=now), rows)
        sent += len(rows) or 1
    with engine.begin() as conn:
        conn.execute(text(_BACKFILL))
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def busiest_partner(engine: Engine, user_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT recipient_id FROM message WHERE sender_id = :u "
                    "GROUP BY recipient_id ORDER BY COUNT(*) DESC LIMIT 1"
                ),
                {"u": user_id},
            ).scalar_one()
        )


def run(engine: Engine, *, users: int, iterations: int, per_page: int) -> list[Figure]:
    heavy, typical = 1, max(2, users // 2)
    partner = busiest_partner(engine, heavy)
    with engine.connect() as conn:
        heavy_rows = conn.execute(
            text("SELECT COUNT(*) FROM conversation WHERE owner_id = 1")
        ).scalar_one()
        pair_messages = conn.execute(
            text(
                "SELECT COUNT(*) FROM message WHERE (sender_id = 1 AND recipient_id = :p) "
                "OR (sender_id = :p AND recipient_id = 1)"
            ),
            {"p": partner},
        ).scalar_one()

    def reading(work: Callable[[Session], Any]) -> Callable[[], Any]:
        return lambda: read(work, engine)

    def writing(work: Callable[[Session], Any]) -> Callable[[], Any]:
        def unit() -> Any:
            with session_scope(engine) as db:
                return work(db)

        return unit

    operations: list[tuple[str, Callable[[], Any], str]] = [
        (
            "Messages page 1, heavy user",
            reading(
                lambda db: conversations.list_conversations(
                    db, user_id=heavy, page=1, per_page=per_page
                )
            ),
            f"{heavy_rows:,} conversations",
        ),
        (
            "Messages page 40, heavy user",
            reading(
                lambda db: conversations.list_conversations(
                    db, user_id=heavy, page=40, per_page=per_page
                )
            ),
            "",
        ),
        (
            "Messages page 1, typical user",
            reading(
                lambda db: conversations.list_conversations(
                    db, user_id=typical, page=1, per_page=per_page
                )
            ),
            "",
        ),
        (
            "unread badge, heavy user",
            reading(lambda db: conversations.unread_message_count(db, user_id=heavy)),
            "",
        ),
        (
            "conversation page 1 (read only)",
            reading(
                lambda db: conversations.conversation_messages(
                    db, user_id=heavy, other_id=partner, page=1, per_page=per_page
                )
            ),
            f"{pair_messages:,} messages in it",
        ),
        (
            "open a conversation (reads and marks read)",
            writing(
                lambda db: conversations.read_conversation(
                    db, user_id=heavy, other_username=f"user{partner}", per_page=per_page
                )
            ),
            "",
        ),
        (
            "send a message (message, 2 conversation rows, notification)",
            writing(
                lambda db: messages.send_message(
                    db, sender_id=partner, recipient_username="user1", body="still there?"
                )
            ),
            "",
        ),
    ]
    figures = []
    for name, work, note in operations:
        samples = measure(work, iterations=iterations, warmup=max(5, iterations // 10))
        figures.append(Figure("messages", name, samples, note))
        print(figures[-1].line(), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/microblog-messages.db")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--per-page", type=int, default=25)
    parser.add_argument("--no-seed", action="store_true", help="use the data already there")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    engine = make_engine(normalize_database_url(args.database_url))
    if not args.no_seed:
        print(f"Seeding {args.users:,} users and {args.messages:,} messages ...", flush=True)
        print(f"Seeded in {seed(engine, users=args.users, total=args.messages):.1f} s.")
    print(f"{engine.dialect.name}:")
    figures = run(engine, users=args.users, iterations=args.iterations, per_page=args.per_page)
    if args.json:
        with open(args.json, "w") as out:
            json.dump([f.as_dict() for f in figures], out, indent=1)
    engine.dispose()


if __name__ == "__main__":
    main()
