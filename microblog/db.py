"""The database engine and the two ways code gets a session.

`session_scope()` is for plain (threaded) code: services, the CLI, the API. `run_db()` is for
async Reflex handlers: it runs the whole unit of work in a worker thread, because a synchronous
query on the event loop would stall every client connected to this worker.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from microblog.config import get_settings

T = TypeVar("T")


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
        def _begin_before_savepoint(conn, _name) -> None:
            # pysqlite opens a transaction only before INSERT/UPDATE/DELETE. A SAVEPOINT sent
            # outside one becomes the transaction itself and its RELEASE commits, so a later
            # rollback could not undo the work: open the real transaction first.
            dbapi_connection = conn.connection.dbapi_connection
            if not dbapi_connection.in_transaction:
                dbapi_connection.execute("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


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


async def run_db(work: Callable[[Session], T]) -> T:
    """Run `work(session)` as one transaction in a worker thread and return its result."""

    def _in_thread() -> T:
        with session_scope() as session:
            return work(session)

    return await asyncio.to_thread(_in_thread)
