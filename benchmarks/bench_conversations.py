"""Conversation benchmark: the reads and writes that replies, boosts, likes and tags brought, on
the scale data set (10k users, 1M post rows of which ~20 % replies and ~5 % boosts, ~3M likes,
~10 % of posts tagged; `microblog seed --scale`).

    python -m benchmarks.bench_conversations                       # SQLite bench database
    python -m benchmarks.bench_conversations --database-url postgresql://postgres@127.0.0.1/bench

Figures (p50/p95/p99 in ms, nearest rank), each one call in a fresh unit of work as the pages
make it (`db.read()` for reads, `session_scope()` for writes):

* the home timeline of `heavy` (follows 500: the scan plan) and of `user2` (follows 50: the
  merge plan), page 1 and 5, with the statements and COUNTs of one warm call;
* a thread page: the post, its ancestors and its first page of replies, for the post with the
  most replies and for a reply deep in a self-thread;
* a tag page: the most used tag (Zipf rank 1) and a rare one, page 1;
* a like and its unlike, and a boost and its unboost, by `heavy` on a random recent post (each a
  committed transaction: insert or delete, the counter, the notification).

The thread and tag reads are services/threads.py's and services/tags.py's.
Results: docs/performance.md#conversations.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.bench_feeds import SCALE_POSTS, Figure, captured_statements, explain, measure
from microblog.config import get_settings, normalize_database_url
from microblog.db import make_engine, make_read_engine, read, session_scope
from microblog.seed import HEAVY_FOLLOWER
from microblog.services import reactions, tags, threads, timeline, users

TYPICAL_USER = "user2"


def thread_reader(post_id: int, viewer_id: int, per_page: int) -> Callable[[Session], Any]:
    return lambda s: threads.open_thread(
        s, post_id=post_id, viewer_id=viewer_id, page=1, per_page=per_page
    )


def tag_reader(name: str, viewer_id: int, per_page: int) -> Callable[[Session], Any]:
    return lambda s: tags.tag_posts(s, name=name, viewer_id=viewer_id, page=1, per_page=per_page)


def subjects(engine: Engine) -> dict[str, Any]:
    """The users, posts and tags measured, found in the data (the seed is deterministic)."""
    with Session(engine) as session:

        def one(sql: str, **parameters: Any) -> Any:
            return session.execute(text(sql), parameters).one()

        heavy = users.get_user_by_username(session, HEAVY_FOLLOWER).id
        typical = users.get_user_by_username(session, TYPICAL_USER).id
        busiest = one("SELECT id FROM post ORDER BY reply_count DESC, id LIMIT 1")[0]
        # A reply in a self-thread with a few ancestors: walk down from a thread starter.
        deep = one(
            "SELECT r.id FROM post AS r JOIN post AS p ON p.id = r.reply_to_id "
            "WHERE p.reply_to_id IS NOT NULL ORDER BY r.id DESC LIMIT 1"
        )[0]
        top_tag, rare_tag = (
            one(
                "SELECT tag.name FROM tag JOIN post_tag ON post_tag.tag_id = tag.id "
                f"GROUP BY tag.name ORDER BY count(*) {order}, tag.name LIMIT 1"
            )[0]
            for order in ("DESC", "ASC")
        )
        newest = one("SELECT max(id) FROM post")[0]
    return {
        "heavy": heavy,
        "typical": typical,
        "busiest_thread": busiest,
        "deep_reply": deep,
        "top_tag": top_tag,
        "rare_tag": rare_tag,
        "newest_post": newest,
    }


def run(engine: Engine, args: argparse.Namespace) -> list[Figure]:
    per_page = get_settings().posts_per_page
    who = subjects(engine)
    print("Subjects:", who)
    reader = make_read_engine(engine.url.render_as_string(hide_password=False), engine)
    warmup = min(20, args.iterations)
    figures: list[Figure] = []

    def home(user_id: int, page: int) -> Callable[[Session], Any]:
        return lambda s: timeline.home_timeline(s, user_id=user_id, page=page, per_page=per_page)

    reads: list[tuple[str, Callable[[Session], Any]]] = [
        ("home, heavy (follows 500), page 1", home(who["heavy"], 1)),
        ("home, heavy (follows 500), page 5", home(who["heavy"], 5)),
        ("home, user2 (follows 50), page 1", home(who["typical"], 1)),
        ("home, user2 (follows 50), page 5", home(who["typical"], 5)),
        (
            f"thread, post {who['busiest_thread']} (most replies)",
            thread_reader(who["busiest_thread"], who["heavy"], per_page),
        ),
        (
            f"thread, reply {who['deep_reply']} (with ancestors)",
            thread_reader(who["deep_reply"], who["heavy"], per_page),
        ),
        (f"tag #{who['top_tag']} (most used), page 1", tag_reader(who["top_tag"], 0, per_page)),
        (f"tag #{who['rare_tag']} (least used), page 1", tag_reader(who["rare_tag"], 0, per_page)),
    ]
    print(f"\nReads (one read-only session per call, {args.iterations} runs after {warmup}):")
    plans: list[tuple[str, list[tuple[str, Any]]]] = []
    for name, operation in reads:

        def once(operation: Callable[[Session], Any] = operation) -> Any:
            return read(operation, reader)

        figure = Figure("reads", name, measure(once, iterations=args.iterations, warmup=warmup))
        with captured_statements(reader) as statements:
            once()
        selects = sum(
            1 for sql, _ in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))
        )
        counts = sum(1 for sql, _ in statements if "count(" in sql.lower())
        figure.note = f"{selects} statements, {counts} COUNT"
        figures.append(figure)
        plans.append((name, statements))
        print(figure.line(), flush=True)

    rng = random.Random(7)
    recent = [who["newest_post"] - rng.randint(0, 50_000) for _ in range(args.iterations + warmup)]
    print(f"\nWrites (one committed transaction each, {args.iterations} runs after {warmup}):")
    for label, do, undo in (
        ("like", reactions.like_post, reactions.unlike_post),
        ("boost", reactions.boost_post, reactions.unboost_post),
    ):
        done: list[float] = []
        undone: list[float] = []
        for n, post_id in enumerate(recent):

            def act(work: Callable[..., Any] = do, post_id: int = post_id) -> None:
                with session_scope(engine) as session:
                    work(session, user_id=who["heavy"], post_id=post_id)

            def back(work: Callable[..., Any] = undo, post_id: int = post_id) -> None:
                with session_scope(engine) as session:
                    work(session, user_id=who["heavy"], post_id=post_id)

            first = measure(act, iterations=1, warmup=0)
            second = measure(back, iterations=1, warmup=0)
            if n >= warmup:
                done += first
                undone += second
        figures.append(Figure("writes", f"{label} (and its counter, notification)", done))
        print(figures[-1].line(), flush=True)
        figures.append(Figure("writes", f"un{label}", undone))
        print(figures[-1].line(), flush=True)

    if args.plans:
        print("\nQuery plans (once):")
        for name, statements in plans:
            for sql, parameters in statements:
                print(f"\n  {name}:")
                for line in explain(engine, sql, parameters)[:40]:
                    print(f"    {line[:150]}")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_conversations", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", default="sqlite:////tmp/microblog-bench.db")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--plans", action="store_true", help="print each statement's plan")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    engine = make_engine(normalize_database_url(args.database_url))
    with engine.connect() as conn:
        posts = conn.execute(text("SELECT count(*) FROM post")).scalar_one()
        likes = conn.execute(text("SELECT count(*) FROM post_like")).scalar_one()
    if not likes:
        sys.exit("No likes: seed the scale data set first (python -m microblog seed --scale).")
    print(f"Database: {engine.dialect.name}, {posts:,} post rows, {likes:,} likes")
    if posts != SCALE_POSTS:
        print(f"(not the full scale data set of {SCALE_POSTS:,} post rows)")
    print("Load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    figures = run(engine, args)
    print("Load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print("\n| measurement | n | p50 | p95 | p99 | note |\n|---|---:|---:|---:|---:|---|")
    for f in figures:
        print(
            f"| {f.name} | {len(f.samples)} | {f.p50:.2f} | {f.p95:.2f} | {f.p99:.2f} | {f.note} |"
        )
    if args.json:
        args.json.write_text(json.dumps([f.as_dict() for f in figures], indent=2))
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
