"""Migration 0022 adds the operator's flags on accounts, `disabled` and `is_admin`, off for every
existing account; its downgrade drops them and keeps the accounts and the user table's
case-insensitive indexes. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect, text

from microblog.db import make_engine
from tests.conftest import downgrade, migrate
from tests.unit.test_migrations import _index_definitions

FLAGS = {"disabled", "is_admin"}


def test_flags_up_and_down(database_url: str) -> None:
    migrate(database_url, "0021")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
                    "VALUES ('old', 'old@example.com', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        migrate(database_url, "0022")
        with engine.connect() as conn:
            row = conn.execute(text('SELECT disabled, is_admin FROM "user"')).one()
        assert tuple(row) in ((False, False), (0, 0))
        downgrade(database_url, "0021")
        assert not FLAGS & {c["name"] for c in inspect(engine).get_columns("user")}
        assert {"uq_user_username_lower", "uq_user_email_lower"} <= set(
            _index_definitions(engine, "user")
        )
        with engine.connect() as conn:
            assert conn.execute(text('SELECT username FROM "user"')).scalar_one() == "old"
        migrate(database_url)
        assert {c["name"] for c in inspect(engine).get_columns("user")} >= FLAGS
    finally:
        engine.dispose()
