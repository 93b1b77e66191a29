"""Migration 0026 adds the Idempotency-Key table and the timeline markers, and its downgrade
removes them, keeping the accounts and posts. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from microblog.db import make_engine
from tests.conftest import downgrade, migrate

TABLES = {"status_idempotency", "timeline_marker"}


def test_idempotency_and_markers_up_and_down(database_url: str) -> None:
    migrate(database_url, "0025")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
                    "VALUES ('old', 'old@example.com', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        migrate(database_url, "0026")
        assert set(inspect(engine).get_table_names()) >= TABLES
        indexes = {i["name"] for i in inspect(engine).get_indexes("status_idempotency")}
        assert {"ix_status_idempotency_created", "ix_status_idempotency_post_id"} <= indexes
        with engine.begin() as conn:
            user_id = conn.execute(text('SELECT id FROM "user"')).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO timeline_marker (user_id, timeline, last_read_id, version, "
                    "updated_at) VALUES (:u, 'home', 5, 1, CURRENT_TIMESTAMP)"
                ),
                {"u": user_id},
            )
        downgrade(database_url, "0025")
        assert not TABLES & set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert conn.execute(text('SELECT username FROM "user"')).scalar_one() == "old"
        migrate(database_url)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()
