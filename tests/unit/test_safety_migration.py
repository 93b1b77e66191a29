"""Migration 0024 adds the safety tables and the account flags (off, "everyone" may message,
for every existing account); its downgrade removes them and keeps the accounts. On SQLite and
PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from microblog.db import make_engine
from tests.conftest import downgrade, migrate
from tests.unit.test_migrations import _index_definitions

TABLES = {
    "user_block",
    "user_mute",
    "conversation_mute",
    "hidden_post",
    "report",
    "moderation_action",
}
COLUMNS = {"is_moderator", "suspended", "limited", "message_policy"}


def test_safety_up_and_down(database_url: str) -> None:
    migrate(database_url, "0023")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
                    "VALUES ('old', 'old@example.com', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        migrate(database_url, "0024")
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as conn:
            row = conn.execute(
                text('SELECT is_moderator, suspended, limited, message_policy FROM "user"')
            ).one()
        assert tuple(row) in ((False, False, False, "everyone"), (0, 0, 0, "everyone"))
        assert "ix_user_suspended" in _index_definitions(engine, "user")
        assert "ix_report_open" in _index_definitions(engine, "report")
        downgrade(database_url, "0023")
        assert not TABLES & set(inspect(engine).get_table_names())
        assert not COLUMNS & {c["name"] for c in inspect(engine).get_columns("user")}
        with engine.connect() as conn:
            assert conn.execute(text('SELECT username FROM "user"')).scalar_one() == "old"
        migrate(database_url)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()
