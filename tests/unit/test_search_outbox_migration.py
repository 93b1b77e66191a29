"""Migration 0009: the search outbox never hands out an id twice (on SQLite, where that needed
AUTOINCREMENT), keeps the changes waiting in it, and can be undone and redone."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from microblog.db import make_engine
from tests.conftest import downgrade, migrate


def _queue(engine: Engine, *post_ids: int) -> None:
    with engine.begin() as conn:
        for post_id in post_ids:
            conn.execute(
                text("INSERT INTO search_outbox (post_id, created) VALUES (:p, CURRENT_TIMESTAMP)"),
                {"p": post_id},
            )


def _rows(engine: Engine) -> list[tuple[int, int]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, post_id FROM search_outbox ORDER BY id"))
        return [(row_id, post_id) for row_id, post_id in rows]


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM search_outbox"))


def test_outbox_ids_are_never_reused_and_the_migration_reverses(database_url: str) -> None:
    migrate(database_url, "0008")
    engine = make_engine(database_url)
    try:
        _queue(engine, 10, 11, 12)
        migrate(database_url, "0009")
        assert _rows(engine) == [(1, 10), (2, 11), (3, 12)]  # waiting changes survive

        _empty(engine)  # a drain applied everything
        _queue(engine, 13)
        assert _rows(engine) == [(4, 13)]  # not 1 again: that version is already in the index

        downgrade(database_url, "0008")
        assert _rows(engine) == [(4, 13)]
        migrate(database_url, "head")
        _empty(engine)
        _queue(engine, 14)
        assert _rows(engine)[0][0] > 4
    finally:
        engine.dispose()
