"""The read-only unit of work used by the feed and profile page loads (microblog/db.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.db import WriteInReadScope, make_read_engine, read, session_scope
from microblog.models import Post, User
from microblog.services.posts import create_post


@pytest.fixture
def read_engine(engine: Engine) -> Iterator[Engine]:
    reader = make_read_engine(engine.url.render_as_string(hide_password=False), engine)
    yield reader
    if reader is not engine:
        reader.dispose()


def test_read_sees_committed_rows(engine: Engine, read_engine: Engine, add_user) -> None:
    with session_scope(engine) as db:
        author = add_user(db, "john")
        create_post(db, author_id=author.id, body="hello")
    bodies = read(lambda db: db.exec(select(Post.body)).all(), read_engine)
    assert bodies == ["hello"]


def test_read_refuses_to_write(engine: Engine, read_engine: Engine, add_user) -> None:
    with session_scope(engine) as db:
        author_id = add_user(db, "john").id

    def write(db: Session) -> None:
        create_post(db, author_id=author_id, body="sneaky")

    with pytest.raises(WriteInReadScope):
        read(write, read_engine)
    with session_scope(engine) as db:
        assert db.exec(select(Post)).all() == []


def test_read_opens_no_transaction_on_postgresql(engine: Engine, read_engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads open no transaction with either engine")
    statements: list[str] = []

    def capture(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(read_engine, "before_cursor_execute", capture)
    try:
        read(lambda db: db.exec(select(User)).all(), read_engine)
        status = read(
            lambda db: db.connection().connection.dbapi_connection.info.transaction_status,
            read_engine,
        )
    finally:
        event.remove(read_engine, "before_cursor_execute", capture)
    assert status == 0  # psycopg's IDLE: autocommit, no BEGIN was sent
    assert not any(s.strip().upper().startswith(("BEGIN", "COMMIT")) for s in statements)


def test_read_retries_once_after_the_server_dropped_the_connection(
    engine: Engine, read_engine: Engine, add_user
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server-side disconnect needs PostgreSQL")
    with session_scope(engine) as db:
        add_user(db, "john")
    pid = read(lambda db: db.execute(text("SELECT pg_backend_pid()")).scalar_one(), read_engine)
    with engine.begin() as conn:  # a database restart, as far as that pooled connection knows
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    names = read(lambda db: db.exec(select(User.username)).all(), read_engine)
    assert names == ["john"]
    assert (
        read(lambda db: db.execute(text("SELECT pg_backend_pid()")).scalar_one(), read_engine)
        != pid
    )


def test_postgresql_connections_run_without_jit(engine: Engine, read_engine: Engine) -> None:
    """JIT compiled a feed's few-millisecond statement for ~200 ms (microblog/db.py)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    for each in (engine, read_engine):
        with each.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar_one() == "off"
            # and the options the URL gives still hold (the tests' private schema)
            assert conn.execute(text("SHOW search_path")).scalar_one().startswith("mbtest_")
