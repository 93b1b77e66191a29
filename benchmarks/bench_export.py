"""Post-export benchmark: how fast the export job writes a big user's posts, and how long a
progress update takes from the Task row to an open tab.

    python -m benchmarks.bench_export                          # 100k posts on SQLite, then latency
    python -m benchmarks.bench_export --database-url postgresql://postgres@127.0.0.1:5432/test
    python -m benchmarks.bench_export --posts 20000 --skip-latency

1. Throughput. A fresh database (a temporary SQLite file, or a private schema in the PostgreSQL
   database given, dropped at the end), migrated with `python -m microblog migrate`, gets one user
   with `--posts` posts (and `--noise` posts by others, so the user's posts are spread through
   the table as in the scale data set). For each `--batch-sizes` value the real job
   (`exports.run_export`) runs on a queued task in this process: keyset batches, JSON file,
   throttled progress writes with their live events (to a counting hub), the final transaction
   with the notification and the email queued in the outbox (reading the file into the row is
   in the time; sending it measures the mail server, so it happens on the outbox's thread and
   is waited for outside the time). Printed: posts/s, MB/s, file size, progress writes, and
   the peak of Python memory
   allocations during the job (tracemalloc), which shows the file is streamed.
2. Progress-update latency. The real app (`reflex run`, prod build, one worker) runs with
   REDIS_URL on its own ports and SQLite database. `--tabs` simulated tabs of the user (Reflex's
   websocket protocol, from benchmarks/bench_live.py) sit on /explore. Each round updates the
   task row's progress in this process, commits, and publishes the TASK event through a
   RedisHub on the app's channel, exactly as the job does; the clock stops when a tab receives
   the state delta carrying the new percentage. p50/p95/max over `--updates` rounds, for the
   first and the last tab.

Results: docs/export.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text, update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

from benchmarks.bench_live import (
    Figure,
    Person,
    Protocol,
    SimTab,
    cookie_name,
    create_people,
    load_average,
    migrate,
    open_sessions,
    port_free,
)
from microblog.config import get_settings, normalize_database_url
from microblog.db import make_engine, session_scope
from microblog.live import hub as live_hub
from microblog.live.events import TASK, LiveEvent
from microblog.models import Post, Task
from microblog.services import exports, mail_outbox
from microblog.services.tasks import set_runner
from tests.app_server import AppDidNotStart, serve_app

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
_WORDS = [
    "reflex",
    "python",
    "export",
    "progress",
    "batch",
    "keyset",
    "json",
    "stream",
    "coffee",
    "garden",
    "release",
]


class CountingHub:
    def __init__(self) -> None:
        self.events = 0

    def publish(self, event: LiveEvent) -> None:
        self.events += 1


class IdleRunner:
    """Takes the job without running it: the benchmark runs it itself, timed."""

    def submit(self, *_args: object) -> None:
        return None


@contextlib.contextmanager
def database(url: str | None, work: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file in `work`, or a new PostgreSQL schema."""
    if not url:
        found = f"sqlite:///{work / 'export.db'}"
        migrate(found)
        yield found
        return
    base = normalize_database_url(url)
    schema = f"bench_export_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        found = (
            make_url(base)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        migrate(found)
        yield found
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def fill(engine: Engine, user_id: int, others: list[int], posts: int, noise: int) -> float:
    """Insert the posts (interleaved with other users' posts); returns seconds taken."""
    rng = random.Random(22)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    owners = [user_id] * posts + [rng.choice(others) for _ in range(noise)]
    rng.shuffle(owners)
    began = time.perf_counter()
    for offset in range(0, len(owners), 10_000):
        rows = [
            {
                "body": " ".join(rng.choices(_WORDS, k=rng.randint(5, 18)))[:140],
                "timestamp": start + timedelta(seconds=30 * (offset + i)),
                "user_id": owner,
                "language": "en",
            }
            for i, owner in enumerate(owners[offset : offset + 10_000])
        ]
        with engine.begin() as conn:
            conn.execute(insert(Post), rows)
    with engine.begin() as conn:  # fresh statistics, as a live database has
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - began


def batch_plan(engine: Engine, user_id: int, halfway: int) -> str:
    """How the database runs one keyset batch (what `_batches` sends after the first)."""
    sql = (
        "SELECT id, body, timestamp, language FROM post WHERE user_id = :u "
        "AND (timestamp, id) > (:t, :i) ORDER BY timestamp, id LIMIT 1000"
    )
    with Session(engine) as db:  # a cursor halfway through the user's posts
        middle = db.exec(
            select(Post.timestamp, Post.id)
            .where(Post.user_id == user_id)
            .order_by(col(Post.timestamp), col(Post.id))
            .offset(halfway)
            .limit(1)
        ).first()
    stamp, post_id = middle if middle else (datetime(2024, 1, 1, tzinfo=UTC), 0)
    params = {"u": user_id, "t": stamp, "i": post_id}
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql), params).all()
            return "; ".join(str(r[-1]) for r in rows)
        rows = conn.execute(text("EXPLAIN " + sql), params).all()
        return " / ".join(r[0].strip() for r in rows[:3])


def export_once(
    engine: Engine, user_id: int, batch_size: int, folder: Path, *, trace: bool
) -> dict[str, float]:
    """One export, timed; with `trace`, the peak of Python allocations instead (tracemalloc
    slows Python down, so the traced run's time is not reported)."""
    os.environ.update(
        EXPORT_DIR=str(folder), EXPORT_BATCH_SIZE=str(batch_size), EXPORT_MAIL_MAX_BYTES="0"
    )
    get_settings.cache_clear()
    hub = CountingHub()
    live_hub.set_hub(hub)  # type: ignore[arg-type]
    set_runner(IdleRunner())  # type: ignore[arg-type]
    with session_scope(engine) as db:
        task_id = exports.start_export(db, user_id=user_id).id
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    exports.run_export(task_id, threading.Event(), engine=engine)
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    mail_outbox.settle()  # the email's delivery, outside the time
    with Session(engine) as db:
        task = db.get(Task, task_id)
        assert task is not None and task.status == "done", (task and task.error) or "no task"
        size = (folder / (task.result_path or "")).stat().st_size
        count = db.exec(select(Post.id).where(Post.user_id == user_id)).all()
    return {
        "seconds": seconds,
        "posts": len(count),
        "bytes": size,
        "events": hub.events,
        "peak_mib": peak / 2**20,
    }


def throughput(args: argparse.Namespace, work: Path) -> None:
    with database(args.database_url, work) as url:
        engine = make_engine(url)
        people = create_people(engine, ["bigwriter", *(f"other{i}" for i in range(20))])
        writer, others = people[0], [p.user_id for p in people[1:]]
        seconds = fill(engine, writer.user_id, others, args.posts, args.noise)
        print(
            f"{engine.dialect.name}: {args.posts:,} posts of the user and {args.noise:,} of "
            f"others inserted in {seconds:.1f} s"
        )
        print(f"  keyset batch plan: {batch_plan(engine, writer.user_id, args.posts // 2)}")
        for size in args.batch_sizes:
            for run in range(args.repeat):
                folder = work / f"exports-{size}-{run}"
                found = export_once(engine, writer.user_id, size, folder, trace=False)
                print(
                    f"  batch {size:>5}: {found['posts']:,} posts in {found['seconds']:.2f} s = "
                    f"{found['posts'] / found['seconds']:,.0f} posts/s, "
                    f"{found['bytes'] / 2**20 / found['seconds']:.1f} MB/s; file "
                    f"{found['bytes'] / 2**20:.1f} MiB; {found['events']} live events",
                    flush=True,
                )
            traced = export_once(engine, writer.user_id, size, work / "traced", trace=True)
            print(f"  batch {size:>5}: peak Python allocations {traced['peak_mib']:.1f} MiB")
        engine.dispose()
    live_hub.set_hub(None)
    set_runner(None)


# --------------------------------------------------------------------------- latency


async def latency(args: argparse.Namespace, work: Path) -> None:
    database_url = f"sqlite:///{work / 'live.db'}"
    migrate(database_url)
    engine = make_engine(database_url)
    (person,) = create_people(engine, ["watcher"])
    open_sessions(engine, [person])
    task_id = str(uuid.uuid4())
    with session_scope(engine) as db:
        db.add(
            Task(
                id=task_id,
                name=exports.EXPORT_POSTS,
                description=exports.DESCRIPTION,
                user_id=person.user_id,
                status="running",
            )
        )
    hub = live_hub.RedisHub(
        args.redis_url, live_hub.channel_for(normalize_database_url(database_url))
    )
    extra_env = {
        "REDIS_URL": args.redis_url,
        "GRANIAN_WORKERS": "1",
        # Every simulated tab comes from this machine's one address.
        "WS_CONNECTIONS_PER_ADDRESS": str(args.tabs + 100),
    }
    print(
        f"Starting `reflex run --env {args.app_env}` on port {args.frontend_port} with Redis; "
        f"log: {work / 'reflex.log'}",
        flush=True,
    )
    began = time.perf_counter()
    try:
        with serve_app(
            database_url=database_url,
            frontend_port=args.frontend_port,
            backend_port=args.backend_port,
            work_dir=work,
            env_mode=args.app_env,
            start_timeout=args.start_timeout,
            keep_build=args.keep_build,
            extra_env=extra_env,
        ) as server:
            print(f"App up after {time.perf_counter() - began:.0f} s.", flush=True)
            backend_port = server.backend_port
            protocol = Protocol(
                host="127.0.0.1",
                port=backend_port,
                origin=server.frontend,
                cookie=cookie_name(server.frontend_port),
            )
            tabs = [SimTab(protocol, person, "/explore") for _ in range(args.tabs)]
            for tab in tabs:
                await tab.connect(timeout=120)
            try:
                await _rounds(args, engine, hub, person, task_id, tabs)
            finally:
                for tab in tabs:
                    await tab.close()
    except AppDidNotStart as problem:
        raise SystemExit(str(problem)) from problem
    finally:
        engine.dispose()


async def _rounds(
    args: argparse.Namespace,
    engine: Engine,
    hub: live_hub.RedisHub,
    person: Person,
    task_id: str,
    tabs: list[SimTab],
) -> None:
    first: list[float] = []
    last: list[float] = []
    missed = 0

    def write(progress: int) -> None:
        with session_scope(engine) as db:
            db.execute(
                update(Task).where(col(Task.id) == task_id).values(progress=progress),
                execution_options={"synchronize_session": False},
            )
        hub.publish(LiveEvent(TASK, user_ids=(person.user_id,)))

    for round_ in range(args.warmup + args.updates):
        progress = round_ % 99 + 1  # each round a value the tabs did not show just before
        futures = [tab.watch(f'"progress_rx_state_":{progress}') for tab in tabs]
        began = time.perf_counter()
        await asyncio.to_thread(write, progress)
        try:
            arrivals = await asyncio.wait_for(asyncio.gather(*futures), args.timeout)
        except TimeoutError:
            missed += 1
            continue
        if round_ >= args.warmup:
            first.append((min(arrivals) - began) * 1000)
            last.append((max(arrivals) - began) * 1000)
        await asyncio.sleep(args.interval)  # the job writes at most every 0.25 s
    for name, samples in (("first tab", first), (f"last of {len(tabs)} tabs", last)):
        figure = Figure("latency", f"row update -> {name} has the delta", samples, missed=missed)
        print(figure.line(), flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_export")
    parser.add_argument("--posts", type=int, default=100_000, help="posts of the exporting user")
    parser.add_argument("--noise", type=int, default=100_000, help="posts of other users")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=2, help="exports per batch size")
    parser.add_argument("--database-url", help="PostgreSQL to test on (a private schema)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--tabs", type=int, default=3, help="open tabs of the user")
    parser.add_argument("--updates", type=int, default=200, help="timed progress updates")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between updates")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per update")
    parser.add_argument("--app-env", choices=("dev", "prod"), default="prod")
    parser.add_argument("--frontend-port", type=int, default=3500)
    parser.add_argument("--backend-port", type=int, default=8500)
    parser.add_argument("--start-timeout", type=int, default=900)
    parser.add_argument("--keep-build", action="store_true")
    args = parser.parse_args(argv)
    if args.app_env == "prod":
        args.backend_port = args.frontend_port
    if not args.skip_latency:
        for port in {args.frontend_port, args.backend_port}:
            if not port_free(port):
                parser.error(f"port {port} is in use; pick others with --frontend-port")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"{os.cpu_count()} CPUs; load average at start {load_average()}")
    work = Path(tempfile.mkdtemp(prefix="microblog-export-bench-"))
    try:
        if not args.skip_throughput:
            throughput(args, work)
        if not args.skip_latency:
            asyncio.run(latency(args, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
