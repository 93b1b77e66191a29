"""Migration 0007 indexes the posts that exist already, fills the typo vocabulary, and can be
undone and redone on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlmodel import Session

from microblog.db import make_engine
from microblog.services import search
from microblog.services.search import ddl
from tests.conftest import downgrade, migrate


def _objects(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                rows = conn.execute(text("SELECT name FROM sqlite_master"))
            else:
                rows = conn.execute(
                    text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
                )
            names = set(rows.scalars())
        columns = {f"post.{c['name']}" for c in inspect(engine).get_columns("post")}
        return names | columns | set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_existing_posts_are_indexed_and_the_migration_reverses(database_url: str) -> None:
    migrate(database_url, "0006")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (id, username, email, password_hash, last_seen, created) '
                    "VALUES (1, 'susan', 's@example.com', 'x', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    'INSERT INTO post (id, body, "timestamp", user_id) VALUES '
                    "(1, 'Baking sourdough bread', CURRENT_TIMESTAMP, 1), "
                    "(2, 'Cycling along the river', CURRENT_TIMESTAMP, 1)"
                )
            )
        migrate(database_url, "0007")
        builtin = (
            ddl.SQLITE_TRIGGERS
            if engine.dialect.name == "sqlite"
            else (ddl.POSTGRES_INDEX, f"post.{ddl.POSTGRES_COLUMN}")
        )
        assert set(builtin) <= _objects(database_url)
        search.use_external(None)
        with Session(engine) as session:
            terms = set(session.execute(text("SELECT term FROM search_term")).scalars())
            assert {"baking", "sourdough", "bread", "cycling", "along", "river"} <= terms

        downgrade(database_url, "0006")
        left = _objects(database_url)
        assert not left & (set(builtin) | ddl.SQLITE_FTS_TABLES | {"search_term", "search_outbox"})
        migrate(database_url)
        assert set(builtin) <= _objects(database_url)
        # The posts that were there before 0007 are found (searched at the head revision: the
        # app reads the columns of today's schema).
        with Session(engine) as session:
            found = search.search_posts(session, q="sourdoguh", page=1, per_page=25)
            assert [p.id for p in found.posts] == [1]
    finally:
        search.reset_external()
        engine.dispose()
