"""Migration 0020: the avatar column arrives empty for existing users (their Gravatar still
shows), holds a picture's names, and goes back down keeping the users."""

from __future__ import annotations

from sqlalchemy import inspect, text

from microblog.db import make_engine
from tests.conftest import downgrade, migrate

BEFORE = "0019"


def _user_columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("user")}
    finally:
        engine.dispose()


def test_avatar_column_up_and_down(database_url: str) -> None:
    migrate(database_url, BEFORE)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
                    "VALUES ('old', 'old@example.com', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        assert "avatar" not in _user_columns(database_url)
        migrate(database_url, "0020")
        with engine.begin() as conn:
            assert conn.execute(text('SELECT avatar FROM "user"')).scalar_one() is None
            names = f"{'a' * 64}.webp {'b' * 64}.webp"
            conn.execute(text('UPDATE "user" SET avatar = :names'), {"names": names})
            assert conn.execute(text('SELECT avatar FROM "user"')).scalar_one() == names
        downgrade(database_url, BEFORE)
        assert "avatar" not in _user_columns(database_url)
        with engine.connect() as conn:
            assert conn.execute(text('SELECT username FROM "user"')).scalar_one() == "old"
        migrate(database_url)
        assert "avatar" in _user_columns(database_url)
    finally:
        engine.dispose()
