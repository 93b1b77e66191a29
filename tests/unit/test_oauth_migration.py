"""Migration 0025 adds the OAuth tables (apps, codes, tokens) and its downgrade removes them,
keeping the accounts. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from microblog.db import make_engine
from tests.conftest import downgrade, migrate

TABLES = {"oauth_app", "oauth_code", "oauth_token"}


def test_oauth_up_and_down(database_url: str) -> None:
    migrate(database_url, "0024")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
                    "VALUES ('old', 'old@example.com', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        migrate(database_url, "0025")
        assert set(inspect(engine).get_table_names()) >= TABLES
        indexes = {i["name"] for i in inspect(engine).get_indexes("oauth_token")}
        assert {"ix_oauth_token_user_id", "ix_oauth_token_app_id"} <= indexes
        downgrade(database_url, "0024")
        assert not TABLES & set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert conn.execute(text('SELECT username FROM "user"')).scalar_one() == "old"
        migrate(database_url)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()
