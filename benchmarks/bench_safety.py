"""Safety benchmark: the home timeline (and Explore) of readers who block and mute dozens of
accounts, on the scale data set (10k users, 1M posts), against the same readers with none.

    python -m benchmarks.bench_safety --database-url sqlite:////tmp/microblog-bench-h23.db --seed
    python -m benchmarks.bench_safety --database-url postgresql://postgres@127.0.0.1/bench --seed

Each reader first gets no blocks or mutes (baseline), then BLOCKS blocks of accounts they do
not follow (a block ends follows, so blocking followed accounts would only shrink the feed) and
MUTES mutes: up to a fifth of the accounts they follow, the rest of accounts they do not.
Figures time the service function the page calls (`timeline.home_timeline`, one session per
call, as `run_db` does). Results: docs/performance.md#safety.
"""

from __future__ import annotations

import argparse
import json
import random

from sqlalchemy import delete, insert
from sqlmodel import Session

from benchmarks.bench_feeds import Figure, ensure_data, find_subjects, measure
from microblog.config import get_settings, normalize_database_url
from microblog.db import make_engine, make_read_engine
from microblog.models import Block, Mute, table_of, utcnow
from microblog.services import follows, posts, timeline

BLOCKS = 40
MUTES = 40


def _set_up(session: Session, reader: int, population: int, *, on: bool) -> tuple[int, int]:
    """Give `reader` BLOCKS blocks and MUTES mutes (or none); (blocks, mutes) made."""
    session.execute(delete(table_of(Block)).where(table_of(Block).c.blocker_id == reader))
    session.execute(delete(table_of(Mute)).where(table_of(Mute).c.muter_id == reader))
    if not on:
        session.commit()
        return 0, 0
    followed = follows.followed_ids(session, user_id=reader)
    chooser = random.Random(reader)
    # At most a fifth of whom they follow is muted (muting 40 of 50 leaves a feed of 10
    # authors, a different feed, not a slower query); the rest of the mutes are of accounts
    # they do not follow (they matter through boosts and replies).
    muted = chooser.sample(followed, min(MUTES, len(followed) // 5))
    others = [u for u in range(2, population + 1) if u != reader and u not in set(followed)]
    strangers = chooser.sample(others, BLOCKS + MUTES - len(muted))
    blocked, muted = strangers[:BLOCKS], muted + strangers[BLOCKS:]
    now = utcnow()
    if muted:
        session.execute(
            insert(table_of(Mute)),
            [
                {"muter_id": reader, "muted_id": u, "hide_notifications": True, "created": now}
                for u in muted
            ],
        )
    session.execute(
        insert(table_of(Block)),
        [{"blocker_id": reader, "blocked_id": u, "created": now} for u in blocked],
    )
    session.commit()
    return len(blocked), len(muted)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_safety")
    parser.add_argument("--database-url", default="sqlite:////tmp/microblog-bench-h23.db")
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    url = normalize_database_url(args.database_url)
    engine = make_engine(url)
    # The pages read through the read engine (on PostgreSQL: autocommit, so psycopg prepares
    # the statements it sees often); a rolled-back session would plan every call anew.
    reads = make_read_engine(url, engine)
    ensure_data(engine, url, seed=args.seed)
    who = find_subjects(engine)
    per_page = get_settings().posts_per_page
    readers = [
        (f"heavy (follows {who.heavy_following})", who.heavy_id),
        (f"user2 (follows {who.typical_following})", who.typical_id),
    ]
    figures: list[Figure] = []
    for state in ("none", f"{BLOCKS} blocks + {MUTES} mutes"):
        on = state != "none"
        for label, reader in readers:
            with Session(engine) as session:
                made = _set_up(session, reader, who.population, on=on)

            def home(reader: int = reader, page: int = 1) -> object:
                with Session(reads) as session:
                    return timeline.home_timeline(
                        session, user_id=reader, page=page, per_page=per_page
                    )

            def explore(reader: int = reader) -> object:
                with Session(reads) as session:
                    return posts.explore_posts(session, page=1, per_page=per_page, viewer_id=reader)

            for name, work in (
                (f"home, {label}, page 1", home),
                (f"home, {label}, page 5", lambda r=reader: home(r, 5)),
                (f"explore as {label}, page 1", explore),
            ):
                samples = measure(work, iterations=args.iterations, warmup=20)
                group = f"{engine.dialect.name}, {state} (made {made[0]}/{made[1]})"
                figure = Figure(group=group, name=name, samples=samples)
                figures.append(figure)
                print(
                    f"{figure.group:40} {name:45} p50 {figure.p50:7.3f} ms  "
                    f"p95 {figure.p95:7.3f} ms  p99 {figure.p99:7.3f} ms",
                    flush=True,
                )
    if args.json:
        with open(args.json, "w") as out:
            json.dump([f.as_dict() for f in figures], out, indent=2)
    engine.dispose()
    if reads is not engine:
        reads.dispose()


if __name__ == "__main__":
    main()
