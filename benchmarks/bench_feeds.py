"""Feed benchmark: how long the three feeds take on the scale data set (10k users, 1M posts).

    python -m benchmarks.bench_feeds --seed                      # SQLite, queries only
    python -m benchmarks.bench_feeds --browser                   # + pages in headless Chromium
    python -m benchmarks.bench_feeds --database-url postgresql://postgres@127.0.0.1/bench --seed

Query figures time the service functions the pages call (one session per call, as `run_db` does)
and, for comparison, the Flask Mega-Tutorial's single OR/JOIN/GROUP BY timeline query with the
COUNT(*) its `paginate()` runs on every page view. Browser figures start the real app with
`reflex run` on their own ports and build folder, log in as `heavy`, and time each feed from
navigation start until its 25 posts are visible. Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from benchmarks.page_clock import POSTS_SHOWN_JS, recorded_load, recorder_script, wanted_posts
from microblog.config import PROJECT_ROOT, get_settings, normalize_database_url
from microblog.db import make_engine, make_read_engine, read, session_scope
from microblog.models import Like, MediaAttachment, Post, User
from microblog.seed import DEMO_PASSWORD, HEAVY_FOLLOWER
from microblog.services import follows, posts, timeline, users
from tests.app_server import CHROMIUM, CHROMIUM_ARGS, AppDidNotStart, AppServer, serve_app

ROOT = Path(__file__).resolve().parent.parent
SCALE_USERS = 10_000
SCALE_POSTS = 1_000_000
TYPICAL_USER = "user2"
PROFILE_USER = "user2"
EXPLORE_DEEP_PAGE = 40
PICTURES = 0.2  # the share of posts with pictures in the data set (microblog/seed.py)
DATABASE_URL = "sqlite:////tmp/microblog-bench.db"  # the scale data set (`--seed` fills it)
MEDIA_DIR = "/tmp/microblog-bench-media"  # noqa: S108 (beside the bench database); served
PLAN_LINES = 48  # longer plans (one branch per followed author) are shortened when printed
PLAN_WIDTH = 160

# The tutorial's `User.following_posts()` as SQL, and the count Flask-SQLAlchemy's paginate() runs
# over the same query (ORDER BY dropped) to number the pages.
TUTORIAL_PAGE_SQL = (
    "SELECT post.* FROM post LEFT OUTER JOIN follow ON follow.followed_id = post.user_id "
    "WHERE follow.follower_id = :uid OR post.user_id = :uid "
    "GROUP BY post.id ORDER BY post.timestamp DESC LIMIT :limit OFFSET :offset"
)
TUTORIAL_COUNT_SQL = (
    "SELECT count(*) FROM (SELECT post.* FROM post LEFT OUTER JOIN follow "
    "ON follow.followed_id = post.user_id "
    "WHERE follow.follower_id = :uid OR post.user_id = :uid GROUP BY post.id) AS anon_1"
)


# --------------------------------------------------------------------------- figures


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 200 samples is the 198th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    group: str
    name: str
    samples: list[float] = field(repr=False)
    note: str = ""

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    def line(self) -> str:
        return (
            f"  {self.name:<52} n={len(self.samples):<4} p50 {self.p50:9.2f} ms"
            f"  p95 {self.p95:9.2f} ms  p99 {self.p99:9.2f} ms  {self.note}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in asdict(self).items() if k != "samples"},
            "n": len(self.samples),
            "p50_ms": round(self.p50, 3),
            "p95_ms": round(self.p95, 3),
            "p99_ms": round(self.p99, 3),
        }


def measure(work: Callable[[], object], *, iterations: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        work()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


# --------------------------------------------------------------------------- data


def data_counts(engine: Engine) -> tuple[int, int] | None:
    """(users, posts), or None when the schema is not there yet or the posts are of an older
    data set without conversations (no likes: seeded before replies, boosts and likes)."""
    tables = inspect(engine)
    if not (tables.has_table("user") and tables.has_table("post_like")):
        return None
    with Session(engine) as session:
        n_users = session.exec(select(func.count()).select_from(User)).one()
        n_posts = session.exec(select(func.count()).select_from(Post)).one()
        if session.exec(select(Like.post_id).limit(1)).first() is None:
            return None
    return int(n_users), int(n_posts)


def pictures_present(engine: Engine, media_dir: Path) -> bool | None:
    """Whether the data set has pictures whose files are in `media_dir` (None: no media table).
    Reads one attachment row, not a count."""
    if not inspect(engine).has_table("media_attachment"):
        return None
    with Session(engine) as session:
        name = session.exec(select(MediaAttachment.file_name).limit(1)).first()
    return name is not None and (media_dir / name[:2] / name).is_file()


def ensure_data(
    engine: Engine, url: str, *, seed: bool, pictures: float = 0.0, media_dir: Path | None = None
) -> float | None:
    """Seed the scale data set when asked and missing (or without the pictures asked for, or
    with pictures when none are); the seed time in seconds, if seeded."""
    media_dir = media_dir or Path(MEDIA_DIR)
    counts = data_counts(engine)
    has_pictures = pictures_present(engine, media_dir) if counts else None
    if counts == (SCALE_USERS, SCALE_POSTS) and bool(has_pictures) == bool(pictures):
        shown = f"pictures in {media_dir}" if has_pictures else "no pictures"
        print(f"Data present: {counts[0]:,} users, {counts[1]:,} posts, {shown} (not re-seeded).")
        return None
    if not seed:
        sys.exit(
            f"The database holds {counts or 'no schema'} "
            f"({'with' if has_pictures else 'without'} pictures in {media_dir}), not the scale "
            f"data set ({SCALE_USERS:,} users, {SCALE_POSTS:,} posts, pictures on "
            f"{pictures:.0%} of them). Run with --seed."
        )
    from microblog.cli import migrate
    from microblog.seed import seed_scale
    from microblog.services.media.store import LocalStore

    migrate(url)
    print("Seeding the scale data set (replaces all data) ...", flush=True)
    started = time.perf_counter()
    seed_scale(
        engine,
        users=SCALE_USERS,
        posts=SCALE_POSTS,
        pictures=pictures,
        media_store=LocalStore(media_dir, public_base=""),
    )
    took = time.perf_counter() - started
    print(f"Seeded in {took:.1f} s.")
    return took


@contextmanager
def captured_statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The SQL (and driver parameters) the engine sends while the block runs."""
    seen: list[tuple[str, Any]] = []

    def listener(_conn, _cursor, statement, parameters, _context, _many) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def statement_label(sql: str) -> str:
    flat = " ".join(sql.split())
    if "+ 0" in flat and "ORDER BY" in flat:
        return "page: newest-first scan + posts + authors"
    if "UNION ALL" in flat or "LATERAL" in flat:
        return "page: per-author merge + posts + authors"
    if "FROM follow" in flat:
        return "followed ids"
    if "max(" in flat.lower():
        return "max(user.id)"
    if "ORDER BY" in flat and "JOIN" in flat:
        return "posts + authors, newest first"
    return flat[:60]


def explain(engine: Engine, sql: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).all()
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _unused, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            return lines
        query = "EXPLAIN (ANALYZE, BUFFERS) " + sql
        return [row[0] for row in conn.exec_driver_sql(query, parameters).all()]


def shorten(lines: list[str], limit: int = PLAN_LINES) -> list[str]:
    if len(lines) <= limit:
        return lines
    tail = 4
    head = limit - tail - 1
    omitted = len(lines) - head - tail
    return [*lines[:head], f"... ({omitted} lines omitted)", *lines[-tail:]]


def print_plans(
    engine: Engine, title: str, statements: list[tuple[str, Any]], labels: list[str] | None = None
) -> None:
    kind = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE"
    for i, (sql, parameters) in enumerate(statements):
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        label = labels[i] if labels else statement_label(sql)
        print(f"\n-- {kind}: {title} / {label}")
        for line in shorten(explain(engine, sql, parameters)):
            # The author list of the heavy user's filter alone is a few thousand characters.
            print(f"   {line[:PLAN_WIDTH]}{' ...' if len(line) > PLAN_WIDTH else ''}")


# --------------------------------------------------------------------------- query figures


@dataclass
class Subjects:
    heavy_id: int
    heavy_following: int
    typical_id: int
    typical_following: int
    profile_id: int
    population: int


def find_subjects(engine: Engine) -> Subjects:
    with Session(engine) as session:
        heavy = users.get_user_by_username(session, HEAVY_FOLLOWER)
        typical = users.get_user_by_username(session, TYPICAL_USER)
        profile = users.get_user_by_username(session, PROFILE_USER)
        return Subjects(
            heavy_id=heavy.id or 0,
            heavy_following=len(follows.followed_ids(session, user_id=heavy.id)),
            typical_id=typical.id or 0,
            typical_following=len(follows.followed_ids(session, user_id=typical.id)),
            profile_id=profile.id or 0,
            population=int(session.exec(select(func.max(User.id))).one() or 1),
        )


def chosen_plan(following: int, population: int, dialect: str) -> str:
    authors = following + 1
    square = f"{authors}^2 = {authors * authors:,}"
    if timeline._choose_plan(authors, population, dialect) == timeline.SCAN:
        return f"scan: newest-first walk ({square} > {population:,} or too many for SQLite)"
    return f"merge: per-author newest posts ({square} <= {population:,})"


def feed_operations(who: Subjects, per_page: int) -> list[tuple[str, Callable[[Session], Any]]]:
    def home(user_id: int, page: int) -> Callable[[Session], Any]:
        return lambda s: timeline.home_timeline(s, user_id=user_id, page=page, per_page=per_page)

    def explore(page: int) -> Callable[[Session], Any]:
        return lambda s: posts.explore_posts(s, page=page, per_page=per_page)

    return [
        (f"home, heavy (follows {who.heavy_following}), page 1", home(who.heavy_id, 1)),
        (f"home, heavy (follows {who.heavy_following}), page 5", home(who.heavy_id, 5)),
        (
            f"home, {TYPICAL_USER} (follows {who.typical_following}), page 1",
            home(who.typical_id, 1),
        ),
        ("explore, page 1", explore(1)),
        (f"explore, page {EXPLORE_DEEP_PAGE}", explore(EXPLORE_DEEP_PAGE)),
        (
            f"profile {PROFILE_USER}, page 1",
            lambda s: posts.user_posts(s, user_id=who.profile_id, page=1, per_page=per_page),
        ),
    ]


def run_queries(engine: Engine, args: argparse.Namespace, who: Subjects) -> list[Figure]:
    per_page = get_settings().posts_per_page
    figures: list[Figure] = []
    plans: list[tuple[str, list[tuple[str, Any]]]] = []
    warmup = min(20, args.iterations)
    dialect = engine.dialect.name
    print(
        "\nHome timeline plan for heavy: "
        f"{chosen_plan(who.heavy_following, who.population, dialect)}"
    )
    print(
        f"Home timeline plan for {TYPICAL_USER}: "
        f"{chosen_plan(who.typical_following, who.population, dialect)}"
    )

    # The pages read through db.read() (no transaction, no pre-ping on PostgreSQL), so that is
    # what is timed; the floors below show what a read-write unit of work would add.
    reader = make_read_engine(engine.url.render_as_string(hide_password=False), engine)
    print(
        f"\nOur queries (one read-only session per call, {args.iterations} runs after "
        f"{warmup} warm-up):"
    )
    for name, operation in feed_operations(who, per_page):

        def once(operation: Callable[[Session], Any] = operation) -> Any:
            return read(operation, reader)

        figure = Figure("ours", name, measure(once, iterations=args.iterations, warmup=warmup))
        # From a warm call: a process's first home timeline also reads the user count, which is
        # then remembered for a few minutes (timeline.POPULATION_TTL_SECONDS).
        with captured_statements(reader) as statements:
            result = once()
        shown = len(result.items)
        queries = sum(1 for sql, _ in statements if sql.lstrip().upper().startswith("SELECT"))
        counts = sum(1 for sql, _ in statements if "count(" in sql.lower())
        figure.note = f"{shown} posts, {queries} queries, {counts} COUNT"
        figures.append(figure)
        print(figure.line(), flush=True)
        plans.append((name, statements))

    def unit_of_work() -> None:
        with session_scope(engine) as session:
            session.connection().execute(text("SELECT 1")).all()

    # What any feed pays before its own SQL: the session, its transaction, and on PostgreSQL
    # the pool's pre-ping, BEGIN and COMMIT round trips (microblog/db.py).
    floor = measure(unit_of_work, iterations=args.iterations, warmup=warmup)
    figures.append(Figure("ours", "floor: session_scope() + SELECT 1", floor, "no feed"))
    print(figures[-1].line(), flush=True)

    def read_only_unit() -> None:
        read(lambda session: session.connection().execute(text("SELECT 1")).all(), reader)

    floor = measure(read_only_unit, iterations=args.iterations, warmup=warmup)
    figures.append(Figure("ours", "floor: read() + SELECT 1", floor, "what the pages pay"))
    print(figures[-1].line(), flush=True)

    figures.extend(run_forced_plans(engine, args, who, per_page, warmup))

    print(
        f"\nWhere the time goes (each statement alone on one open connection, "
        f"{args.iterations} runs):"
    )
    for name, statements in plans:
        if not name.startswith("home") or not name.endswith("page 1"):
            continue
        with engine.connect() as conn:
            for sql, parameters in statements:

                def run(sql: str = sql, parameters: Any = parameters) -> None:
                    conn.exec_driver_sql(sql, parameters).all()

                figure = Figure(
                    "statement",
                    f"{name.split(',')[1].strip()}: {statement_label(sql)}",
                    measure(run, iterations=args.iterations, warmup=warmup),
                )
                figures.append(figure)
                print(figure.line(), flush=True)

    if not args.skip_tutorial:
        figures.extend(run_tutorial(engine, args, who, per_page))

    print("\nQuery plans (once):")
    for name, statements in plans:
        print_plans(engine, name, statements)
    for label, user_id in (("heavy", who.heavy_id), (TYPICAL_USER, who.typical_id)):
        if args.skip_tutorial:
            break
        params = {"uid": user_id, "limit": per_page, "offset": 0}
        with captured_statements(engine) as statements, engine.connect() as conn:
            conn.execute(text(TUTORIAL_PAGE_SQL), params).all()
            conn.execute(text(TUTORIAL_COUNT_SQL), params).all()
        print_plans(
            engine, f"tutorial shape, {label}", statements, ["page query", "paginate() COUNT"]
        )
    return figures


def run_forced_plans(
    engine: Engine, args: argparse.Namespace, who: Subjects, per_page: int, warmup: int
) -> list[Figure]:
    """Page 1 of both subjects' home timelines under each plan, whatever the chooser says: what
    the choice is worth, and a check of its rule on this data."""
    dialect = engine.dialect.name
    print(f"\nHome timeline, page 1, each plan forced ({args.iterations} runs):")
    figures = []
    real_threshold = timeline._max_merge_authors
    for label, user_id, following in (
        ("heavy", who.heavy_id, who.heavy_following),
        (TYPICAL_USER, who.typical_id, who.typical_following),
    ):
        chosen = timeline._choose_plan(following + 1, who.population, dialect)
        for plan in (timeline.SCAN, timeline.MERGE):
            too_many = following + 1 > timeline.SQLITE_MAX_MERGE_AUTHORS
            if plan == timeline.MERGE and dialect == "sqlite" and too_many:
                print(f"  {label}: no merge on SQLite past 500 authors (compound SELECT limit)")
                continue

            def once(user_id: int = user_id) -> Any:
                with session_scope(engine) as session:
                    return timeline.home_timeline(
                        session, user_id=user_id, page=1, per_page=per_page
                    )

            # The plan follows from this one threshold (see tests/unit/test_posts.py).
            most = 10**9 if plan == timeline.MERGE else 0
            timeline._max_merge_authors = lambda *_args, most=most: most
            try:
                samples = measure(once, iterations=args.iterations, warmup=warmup)
            finally:
                timeline._max_merge_authors = real_threshold
            note = "chosen" if plan == chosen else "not chosen"
            figures.append(
                Figure("forced", f"home, {label} (follows {following}): {plan} plan", samples, note)
            )
            print(figures[-1].line(), flush=True)
    return figures


def run_tutorial(
    engine: Engine, args: argparse.Namespace, who: Subjects, per_page: int
) -> list[Figure]:
    n = args.tutorial_iterations
    print(f"\nThe tutorial's query shape on the same data ({n} runs after 1 warm-up):")
    figures = []
    for label, user_id, following in (
        ("heavy", who.heavy_id, who.heavy_following),
        (TYPICAL_USER, who.typical_id, who.typical_following),
    ):
        params = {"uid": user_id, "limit": per_page, "offset": 0}

        def page(params: dict = params) -> list[int]:
            with session_scope(engine) as session:
                return [row.id for row in session.execute(text(TUTORIAL_PAGE_SQL), params)]

        def count(params: dict = params) -> int:
            with session_scope(engine) as session:
                return int(session.execute(text(TUTORIAL_COUNT_SQL), params).scalar_one())

        with session_scope(engine) as session:
            ours = timeline.home_timeline(session, user_id=user_id, page=1, per_page=per_page)
        same = page() == [row.id for row in ours.items]
        total = count()
        subject = f"{label} (follows {following})"
        for figure in (
            Figure(
                "tutorial",
                f"tutorial home, {subject}, page 1",
                measure(page, iterations=n, warmup=1),
                "same 25 posts as ours" if same else "DIFFERENT posts from ours",
            ),
            Figure(
                "tutorial",
                f"tutorial paginate() COUNT, {subject}",
                measure(count, iterations=n, warmup=1),
                f"count = {total:,}",
            ),
        ):
            figures.append(figure)
            print(figure.line(), flush=True)
    return figures


# --------------------------------------------------------------------------- browser figures


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        # As servers do: a just-stopped run's TIME_WAIT connections do not block the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Feed:
    name: str
    path: str
    page1: list[int]
    page2: list[int]

    @property
    def page2_path(self) -> str:
        return f"{self.path}?page=2"

    def addresses(self) -> list[tuple[str, list[int]]]:
        """Each page's address and the posts it must show."""
        return [(self.path, self.page1), (self.page2_path, self.page2)]


def expected_feeds(engine: Engine, who: Subjects) -> list[Feed]:
    """The ids each page must show, so a wait never accepts a previous page's posts."""
    per_page = get_settings().posts_per_page
    with session_scope(engine) as s:

        def ids(page: Any) -> list[int]:
            return [row.id for row in page.items]

        return [
            Feed(
                "home (heavy)",
                "/",
                ids(timeline.home_timeline(s, user_id=who.heavy_id, page=1, per_page=per_page)),
                ids(timeline.home_timeline(s, user_id=who.heavy_id, page=2, per_page=per_page)),
            ),
            Feed(
                "explore",
                "/explore",
                ids(posts.explore_posts(s, page=1, per_page=per_page)),
                ids(posts.explore_posts(s, page=2, per_page=per_page)),
            ),
            Feed(
                f"profile {PROFILE_USER}",
                f"/user/{PROFILE_USER}",
                ids(posts.user_posts(s, user_id=who.profile_id, page=1, per_page=per_page)),
                ids(posts.user_posts(s, user_id=who.profile_id, page=2, per_page=per_page)),
            ),
        ]


def posts_shown_at(page: Any, ids: list[int], per_page: int, timeout: float = 30_000) -> float:
    """Wait until `page` shows the posts `ids`; the page's clock at that frame. For a click
    within a loaded page; a load is timed by the page itself (benchmarks/page_clock.py)."""
    wanted = wanted_posts(ids, per_page)
    return page.wait_for_function(POSTS_SHOWN_JS, arg=wanted, timeout=timeout).json_value()


IN_PAGE = "page's clock"
HARNESS = "seen from the benchmark"

# The page's clock at the last click, for client-side navigation (installed once per document).
RECORD_CLICKS_JS = """() => document.addEventListener(
  'click', () => { window.__benchClickAt = performance.now(); }, true)"""


def deployment_env(app_env: str) -> dict[str, str]:
    """The production build runs as a deployment would: `MICROBLOG_ENV=production` (with a
    secret of its own), which also keeps tabs' state in memory rather than on disk
    (`config.tab_state_store`)."""
    if app_env != "prod":
        return {}
    return {"MICROBLOG_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48)}


@contextmanager
def serve_production_build(
    database_url: str, port: int, work_dir: Path, root: Path = PROJECT_ROOT
) -> Iterator[AppServer]:
    """`root`'s production build on one port, as a deployment runs it, its build kept for the
    next run (`trace_new_tab`, `ab_new_tab`)."""
    with serve_app(
        database_url=database_url,
        frontend_port=port,
        backend_port=port,
        work_dir=work_dir,
        env_mode="prod",
        keep_build=True,
        extra_env={**deployment_env("prod"), "MEDIA_DIR": os.environ.get("MEDIA_DIR", MEDIA_DIR)},
        root=root,
    ) as server:
        yield server


def run_browser(args: argparse.Namespace, engine: Engine, who: Subjects) -> list[Figure]:
    if args.app_env == "prod":
        # Reflex serves a production build and its backend on one port.
        args.backend_port = args.frontend_port
    for port in {args.frontend_port, args.backend_port}:
        if not port_free(port):
            sys.exit(f"Port {port} is in use; pick others with --frontend-port/--backend-port.")
    feeds = expected_feeds(engine, who)
    work = Path(tempfile.mkdtemp(prefix="microblog-bench-"))
    print(
        f"\nStarting `reflex run --env {args.app_env}` on port {args.frontend_port}; "
        f"log (kept on failure): {work / 'reflex.log'}"
    )
    started = time.monotonic()
    try:
        with serve_app(
            database_url=args.database_url,
            frontend_port=args.frontend_port,
            backend_port=args.backend_port,
            work_dir=work,
            env_mode=args.app_env,
            start_timeout=args.start_timeout,
            keep_build=args.keep_build,
            extra_env={**deployment_env(args.app_env), "MEDIA_DIR": str(args.media_dir)},
        ) as server:
            print(f"App up after {time.monotonic() - started:.0f} s.", flush=True)
            figures = drive_browser(args, server.frontend, feeds)
    except AppDidNotStart as problem:
        sys.exit(str(problem))
    # The server log stays only when something went wrong.
    shutil.rmtree(work, ignore_errors=True)
    return figures


class Timeline:
    """When the page did what, seen from here: splits a navigation into download, server round
    trip and rendering. Times are milliseconds since `begin()`."""

    PHASES = (
        ("load", "page 'load' event (HTML + JS modules)"),
        ("sent", "Reflex event sent (hydrate / on_load)"),
        ("data", "last state update received"),
        ("shown", "posts visible"),
    )

    def __init__(self, page: Any, backend_port: int) -> None:
        self.marks: list[tuple[float, str]] = []
        self.started = time.perf_counter()
        self._backend = f":{backend_port}/"
        page.on("load", lambda _page: self._mark("load"))
        page.on("websocket", self._watch)

    def _watch(self, socket: Any) -> None:
        if self._backend not in socket.url:
            return  # the dev server's hot-reload socket
        socket.on("framesent", lambda data: '"event"' in str(data) and self._mark("sent"))
        socket.on("framereceived", lambda data: str(data).startswith("42") and self._mark("data"))

    def _mark(self, kind: str) -> None:
        self.marks.append((time.perf_counter(), kind))

    def begin(self) -> None:
        self.marks = []
        self.started = time.perf_counter()

    def end(self, in_page: float, ended: float | None = None) -> dict[str, float]:
        """The phases seen from here, "shown" among them (now, or `ended`: when the page said
        so), and `in_page`: the page's own time to the posts (from navigation start or from the
        click), without the benchmark's round trips to the browser at either end."""
        ended = time.perf_counter() if ended is None else ended
        found: dict[str, float] = {}
        for at, kind in self.marks:
            if at > ended:
                break
            if kind == "data" or kind not in found:  # first load/sent, last update
                found[kind] = at
        found["shown"] = ended
        phases = {kind: (at - self.started) * 1000 for kind, at in found.items()}
        return {**phases, "in_page": in_page}


def phase_figures(title: str, records: list[dict[str, float]]) -> list[Figure]:
    figures = []
    for kind, label in Timeline.PHASES:
        samples = [r[kind] for r in records if kind in r]
        if samples:
            figures.append(Figure("phase", f"{title}: {label}", samples, "ms since start"))
    return figures


def drive_browser(args: argparse.Namespace, frontend: str, feeds: list[Feed]) -> list[Figure]:
    from playwright.sync_api import sync_playwright

    n = args.browser_iterations
    per_page = get_settings().posts_per_page
    figures: list[Figure] = []
    expected = {address: ids for feed in feeds for address, ids in feed.addresses()}
    recorder = recorder_script(expected, per_page)
    with (
        sync_playwright() as playwright,
        browser_context(playwright, args, frontend, recorder) as context,
    ):
        try:
            context.set_default_timeout(60_000)
            page = context.new_page()
            timeline = Timeline(page, args.backend_port)

            def shown(ids: list[int], timeout: float = 30_000) -> float:
                return posts_shown_at(page, ids, per_page, timeout)

            def load(path: str, ids: list[int], timeout: float = 30_000) -> dict[str, float]:
                return timed_load(page, timeline, path, timeout)

            log_in(page, frontend)
            # The dev server compiles each page on its first visit: load each one first.
            for feed in feeds:
                took = load(feed.path, feed.page1, timeout=300_000)["shown"]
                print(f"  warm-up {feed.name}: {took:.0f} ms", flush=True)
            for feed in feeds:
                load(feed.path, feed.page1)

            print(
                f"\nFull page loads (navigation start -> {per_page} posts visible), "
                f"{n} each, round-robin:"
            )
            records: dict[str, list[dict[str, float]]] = {feed.name: [] for feed in feeds}
            # Alternate pages 1 and 2: the tab's state still holds what it showed last, and
            # Reflex sends that back first when the page reconnects. Waiting for the other page's
            # posts makes every sample wait for this load's own data, not last visit's leftovers.
            for i in range(n):
                for feed in feeds:
                    path, ids = (feed.path, feed.page1) if i % 2 else (feed.page2_path, feed.page2)
                    records[feed.name].append(load(path, ids))
            figures.extend(load_figures("page load", "load", feeds, records))

            print(
                f"\nFirst visit in a new tab (shared cache and cookies, a new Reflex session: "
                f"nothing held over), {n} each:"
            )
            opened: dict[str, list[dict[str, float]]] = {feed.name: [] for feed in feeds}
            for _ in range(n):
                for feed in feeds:
                    opened[feed.name].append(new_tab_load(context, args, feed, per_page))
            figures.extend(load_figures("new tab", "new tab", feeds, opened))

            print(f"\nClient-side navigation (click Older/Newer -> {per_page} posts), {n} each:")
            for feed in feeds:
                click_figures, clicks = click_through(page, feed, n, load, shown, timeline)
                figures.extend(click_figures)
                for figure in click_figures:
                    print(figure.line(), flush=True)
                figures.extend(phase_figures(f"click {feed.name}", clicks))

            print("\nWhere the time goes (p50, ms since navigation start / click):")
            for figure in figures:
                if figure.group == "phase":
                    print(f"  {figure.name:<78} {figure.p50:8.1f}")
        finally:
            context.close()
    return figures


@contextmanager
def browser_context(
    playwright: Any, args: argparse.Namespace, frontend: str, recorder: str
) -> Iterator[Any]:
    """The browser the pages are timed in. "private" (the default): a fresh off-the-record
    context, as Playwright makes them, whose memory-only cache keeps no compiled code. "profile":
    a browser profile on disk, as a returning visitor's browser is, where Chromium keeps V8's
    compiled code for scripts it has run before next to the cached files. `recorder`: the
    page clock's init script (benchmarks/page_clock.py)."""
    if args.browser_profile == "private":
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=frontend)
            context.add_init_script(recorder)
            yield context
        finally:
            browser.close()
        return
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as folder:
        context = playwright.chromium.launch_persistent_context(
            folder, executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=frontend
        )
        context.add_init_script(recorder)
        yield context


def load_figures(
    title: str, phase_title: str, feeds: list[Feed], records: dict[str, list[dict[str, float]]]
) -> list[Figure]:
    """Each feed's load times, by the page's clock and as seen from here (printed as they are
    made), and then their phases."""
    figures = []
    for feed in feeds:
        records_of_feed = records[feed.name]
        name = f"{title}: {feed.name} {feed.path}"
        figures.append(Figure("browser", name, [r["in_page"] for r in records_of_feed], IN_PAGE))
        figures.append(Figure("harness", name, [r["shown"] for r in records_of_feed], HARNESS))
        live = [r["live"] for r in records_of_feed]
        figures.append(Figure("live", name, live, f"{IN_PAGE}; the page's own list, live"))
        interactive = [r["interactive"] for r in records_of_feed]
        figures.append(
            Figure("interactive", name, interactive, f"{IN_PAGE}; hydrated, socket connected")
        )
        for figure in figures[-4:]:
            print(figure.line(), flush=True)
    for feed in feeds:
        figures.extend(phase_figures(f"{phase_title} {feed.name}", records[feed.name]))
    return figures


def new_tab_load(context: Any, args: argparse.Namespace, feed: Feed, per_page: int) -> dict:
    """Open the feed in a tab of its own, as a visitor arriving from a link or a bookmark does,
    and time it until its posts show."""
    tab = context.new_page()
    try:
        return timed_load(tab, Timeline(tab, args.backend_port), feed.path)
    finally:
        tab.close()


def timed_load(
    page: Any, timeline: Timeline, address: str, timeout: float = 30_000
) -> dict[str, float]:
    """Load `address` in `page`, timed by the page itself (benchmarks/page_clock.py): the
    phases seen from here (the posts shown when the page said so), and on the page's clock the
    posts shown ("in_page"), the list live and the page interactive."""
    timeline.begin()
    times = recorded_load(page, address, timeout)
    if times.shown is None or times.live is None or times.shown_seen is None:
        raise RuntimeError(f"{address}: no posts are expected there")
    record = timeline.end(times.shown, ended=times.shown_seen)
    return {**record, "live": times.live, "interactive": times.interactive}


def log_in(page: Any, frontend: str) -> None:
    for attempt in range(3):
        page.goto("/login?next=%2F", timeout=300_000)
        page.wait_for_load_state("networkidle", timeout=300_000)
        page.get_by_label("Username or email").fill(HEAVY_FOLLOWER)
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        try:
            page.wait_for_url(lambda url: url.rstrip("/") == frontend, timeout=60_000)
            print(f"Logged in as {HEAVY_FOLLOWER}.", flush=True)
            return
        except Exception:  # the form may not have been live yet: try again
            print(f"  login attempt {attempt + 1} did not land on / (now {page.url})")
    sys.exit("Could not log in as heavy.")


def feed_recorder(engine: Engine) -> str:
    """The page clock's init script (benchmarks/page_clock.py), expecting at each feed address
    the posts the database has there."""
    feeds = expected_feeds(engine, find_subjects(engine))
    expected = {address: ids for feed in feeds for address, ids in feed.addresses()}
    return recorder_script(expected, get_settings().posts_per_page)


def reader_context(browser: Any, frontend: str, paths: list[str], *init_scripts: str) -> Any:
    """A browser context of `frontend` with `init_scripts`, signed in as heavy and through each
    of `paths` once: the build in its cache, as a reader's browser has it when they open a link
    to the site in a new tab."""
    context = browser.new_context(base_url=frontend)
    for script in init_scripts:
        context.add_init_script(script)
    page = context.new_page()
    log_in(page, frontend)
    for path in paths:
        recorded_load(page, path)
    return context


def click_through(
    page: Any,
    feed: Feed,
    n: int,
    load: Callable[..., dict[str, float]],
    shown: Callable[[list[int]], float],
    timeline: Timeline,
) -> tuple[list[Figure], list[dict[str, float]]]:
    """Alternate Older / Newer on the pager (client-side routing: `?page=N`, no reload)."""
    load(feed.path, feed.page1)
    page.evaluate("window.__benchMarker = 1")
    page.evaluate(RECORD_CLICKS_JS)
    records = []
    for i in range(n):
        label, ids = ("Older", feed.page2) if i % 2 == 0 else ("Newer", feed.page1)
        link = page.locator(".pager a", has_text=label).first
        link.wait_for(state="visible")
        timeline.begin()
        link.click()
        shown_at = shown(ids)
        records.append(timeline.end(shown_at - page.evaluate("window.__benchClickAt")))
    client_side = page.evaluate("window.__benchMarker === 1")
    note = "client-side (no reload)" if client_side else "FULL RELOAD happened"
    name = f"older/newer: {feed.name}"
    return [
        Figure("browser", name, [r["in_page"] for r in records], f"{IN_PAGE}; {note}"),
        Figure("harness", name, [r["shown"] for r in records], f"{HARNESS}; {note}"),
    ], records


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_feeds",
        description="Time the home, explore and profile feeds on the scale data set.",
    )
    parser.add_argument(
        "--database-url",
        default=DATABASE_URL,
        help="e.g. postgresql://postgres@127.0.0.1/bench (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", action="store_true", help="seed 10k users / 1M posts first if not there"
    )
    parser.add_argument(
        "--pictures",
        type=float,
        default=PICTURES,
        metavar="SHARE",
        help="share of posts with pictures when seeding (default: %(default)s)",
    )
    parser.add_argument(
        "--media-dir",
        type=Path,
        default=Path(MEDIA_DIR),
        help="where the seeded pictures' files are; the app serves them (default: %(default)s)",
    )
    parser.add_argument("--iterations", type=int, default=200, help="timed runs per query")
    parser.add_argument(
        "--tutorial-iterations", type=int, default=5, help="timed runs of the tutorial's query"
    )
    parser.add_argument(
        "--skip-tutorial",
        action="store_true",
        help="leave out the tutorial's query (seconds per run, on every core)",
    )
    parser.add_argument("--browser", action="store_true", help="also time pages in Chromium")
    parser.add_argument("--browser-iterations", type=int, default=20, help="loads per page")
    parser.add_argument(
        "--app-env",
        choices=("dev", "prod"),
        default="dev",
        help="`reflex run --env`: dev server (default) or the production build",
    )
    parser.add_argument("--frontend-port", type=int, default=3100, help="(default: %(default)s)")
    parser.add_argument(
        "--backend-port", type=int, default=8100, help="(default: %(default)s; prod: the same)"
    )
    parser.add_argument(
        "--start-timeout", type=int, default=600, help="seconds to wait for `reflex run`"
    )
    parser.add_argument(
        "--keep-build",
        action="store_true",
        help="keep the .web-<frontend-port> build folder for the next run",
    )
    parser.add_argument(
        "--browser-profile",
        choices=("private", "profile"),
        default="private",
        help="a fresh private context (default) or a browser profile on disk, which keeps "
        "compiled scripts between visits as a returning visitor's browser does",
    )
    parser.add_argument("--skip-queries", action="store_true", help="only the browser figures")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if min(args.iterations, args.tutorial_iterations, args.browser_iterations) < 1:
        parser.error("iteration counts must be at least 1")
    if not 0 <= args.pictures <= 1:
        parser.error("--pictures is a share of the posts, from 0 to 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = normalize_database_url(args.database_url)
    engine = make_engine(url)
    try:
        seed_seconds = ensure_data(
            engine, url, seed=args.seed, pictures=args.pictures, media_dir=args.media_dir
        )
    except OperationalError as problem:
        hint = ""
        if url.startswith("postgresql"):
            hint = "\nCreate it first: psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE bench'"
        sys.exit(f"Cannot use {args.database_url}: {problem.orig}{hint}")
    print(f"Database: {engine.dialect.name} ({args.database_url}); {os.cpu_count()} CPUs")
    print("Load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    who = find_subjects(engine)
    figures: list[Figure] = []
    if not args.skip_queries:
        figures.extend(run_queries(engine, args, who))
    if args.browser:
        figures.extend(run_browser(args, engine, who))
    print("\nLoad average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print("\nSummary (ms):")
    print("| group | measurement | n | p50 | p95 | p99 | note |")
    print("|---|---|---:|---:|---:|---:|---|")
    for f in figures:
        print(
            f"| {f.group} | {f.name} | {len(f.samples)} | {f.p50:.2f} | {f.p95:.2f} "
            f"| {f.p99:.2f} | {f.note} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "backend": engine.dialect.name,
                    "database_url": args.database_url,
                    "seed_seconds": seed_seconds,
                    "heavy_plan": chosen_plan(
                        who.heavy_following, who.population, engine.dialect.name
                    ),
                    "typical_plan": chosen_plan(
                        who.typical_following, who.population, engine.dialect.name
                    ),
                    "figures": [f.as_dict() for f in figures],
                },
                indent=2,
            )
        )
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
