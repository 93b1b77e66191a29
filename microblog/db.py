"""The database engine and the two ways code gets a session.

`session_scope()` is for plain (threaded) code: services, the CLI, the API. `run_db()` is for
async Reflex handlers: it runs the whole unit of work in a worker thread, because a synchronous
query on the event loop would stall every client connected to this worker.

`read_scope()` / `run_read()` are for the page loads that only read (the feeds, a profile). On
PostgreSQL they skip the round trips a read does not need: the pool's pre-ping and the BEGIN and
COMMIT of a transaction (docs/performance.md). Each statement then sees its own snapshot, which is
fine for a page of posts; anything that writes, or needs one snapshot across statements, uses
`session_scope()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from microblog.config import get_settings

T = TypeVar("T")


# PostgreSQL's JIT compiler is off for our connections. Our reads are short index walks, but
# the planner prices a feed's per-author walk (a LATERAL LIMIT under anti-joins) far above what
# it costs, past `jit_above_cost`, and then spends ~200 ms compiling a 5 ms query: the home
# timeline of the scale data set took 110-430 ms instead of a few (bench_mastodon, bench_feeds).
# Added to the options the URL may already carry (`?options=-csearch_path%3D...`).
NO_JIT = "-c jit=off"


def _postgres_connect_args(url: str) -> dict[str, str]:
    given = make_url(url).query.get("options") or ""
    if isinstance(given, tuple):
        given = " ".join(given)
    return {"options": f"{given} {NO_JIT}".strip()}


def make_engine(url: str) -> Engine:
    """An engine with the per-connection settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and "mode=memory" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(conn: Connection, _name: str) -> None:
            # pysqlite opens a transaction only before INSERT/UPDATE/DELETE. A SAVEPOINT sent
            # outside one becomes the transaction itself and its RELEASE commits, so a later
            # rollback could not undo the work: open the real transaction first.
            dbapi_connection = conn.connection.dbapi_connection
            assert dbapi_connection is not None  # None only once the connection is closed
            if not dbapi_connection.in_transaction:
                dbapi_connection.execute("BEGIN")

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args=_postgres_connect_args(url),
    )


def make_read_engine(url: str, engine: Engine | None = None) -> Engine:
    """The engine for read-only units of work. On PostgreSQL: its own pool, in autocommit (no
    BEGIN/COMMIT) and without pre-ping (a dead connection is retried once by `read_scope`). On
    SQLite, reads never open a transaction anyway, so it is the ordinary engine."""
    if url.startswith("sqlite"):
        return engine or make_engine(url)
    return create_engine(
        url,
        isolation_level="AUTOCOMMIT",
        pool_size=10,
        max_overflow=20,
        connect_args=_postgres_connect_args(url),
    )


def engine_of(session: Session) -> Engine:
    """The engine behind a session, also when the session is bound to one of its connections
    (as tests bind it): work handed to another thread opens its own connections from it."""
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


@lru_cache(maxsize=1)
def get_read_engine() -> Engine:
    return make_read_engine(get_settings().database_url, get_engine())


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any exception."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


class WriteInReadScope(RuntimeError):
    """A read-only unit of work tried to flush changes (they would be autocommitted piecemeal)."""


def _refuse_flush(*_args: Any) -> None:
    raise WriteInReadScope("read_scope() is read-only: use session_scope() to write")


def read(work: Callable[[Session], T], engine: Engine | None = None) -> T:
    """Run `work(session)` read-only (see the module docstring). A connection that died while idle
    in the pool (a database restart) fails the first try; the pool then drops every connection
    as old as it, and the second try runs on a fresh one."""
    for attempt in (1, 2):
        with Session(engine or get_read_engine(), expire_on_commit=False) as session:
            event.listen(session, "before_flush", _refuse_flush)
            try:
                return work(session)
            except DBAPIError as error:
                if attempt == 2 or not error.connection_invalidated:
                    raise
    raise AssertionError("unreachable")


async def run_read(work: Callable[[Session], T]) -> T:
    """`read(work)` in a worker thread, for async Reflex handlers that only read."""
    return await asyncio.to_thread(read, work)


async def run_db(work: Callable[[Session], T]) -> T:
    """Run `work(session)` as one transaction in a worker thread and return its result."""

    def _in_thread() -> T:
        with session_scope() as session:
            return work(session)

    return await asyncio.to_thread(_in_thread)
