"""Migration 0018 (pictures): the table and the post's columns come and go on SQLite and
PostgreSQL, existing posts stay searchable through the rebuilt index, and a post's alt text is
found by the built-in search after the upgrade and not before (nor after the downgrade)."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from microblog.db import make_engine
from tests.conftest import downgrade, migrate


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("post")}


def _matches(engine: Engine, word: str) -> list[int]:
    """Post ids the built-in index finds for `word`, straight from the index."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(
                text("SELECT rowid FROM post_fts WHERE post_fts MATCH :q ORDER BY rowid"),
                {"q": f'"{word}"'},
            )
        else:
            rows = conn.execute(
                text(
                    "SELECT id FROM post WHERE search_vector @@ "
                    "plainto_tsquery('english', :q) ORDER BY id"
                ),
                {"q": word},
            )
        return list(rows.scalars())


def test_media_migration_up_and_down(database_url: str) -> None:
    migrate(database_url, "0017")
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
                    "(1, 'Baking sourdough bread', CURRENT_TIMESTAMP, 1)"
                )
            )
        migrate(database_url, "0018")
        assert {"media_json", "media_alt_text"} <= _columns(engine)
        assert "media_attachment" in inspect(engine).get_table_names()
        assert _matches(engine, "sourdough") == [1]  # the rebuilt index still has old posts
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO post (id, body, "timestamp", user_id, media_alt_text) VALUES '
                    "(2, 'Look at this', CURRENT_TIMESTAMP, 1, 'A heron standing in reeds')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO media_attachment (user_id, post_id, position, file_name, "
                    "thumb_name, content_type, width, height, thumb_width, thumb_height, "
                    "blurhash, alt_text, byte_size, created_at) VALUES (1, 2, 0, 'a.jpg', "
                    "'b.jpg', 'image/jpeg', 10, 10, 10, 10, 'LKO2', 'A heron', 5, "
                    "CURRENT_TIMESTAMP)"
                )
            )
        assert _matches(engine, "heron") == [2]
        with engine.begin() as conn:  # an edit of the alt text reaches the index
            conn.execute(text("UPDATE post SET media_alt_text = 'An egret' WHERE id = 2"))
        assert _matches(engine, "heron") == []
        assert _matches(engine, "egret") == [2]

        downgrade(database_url, "0017")
        assert not {"media_json", "media_alt_text"} & _columns(engine)
        assert "media_attachment" not in inspect(engine).get_table_names()
        assert _matches(engine, "sourdough") == [1]
        assert _matches(engine, "egret") == []
        with engine.begin() as conn:  # the body-only index is kept by its triggers again
            conn.execute(text("UPDATE post SET body = 'Rye loaves' WHERE id = 1"))
        assert _matches(engine, "rye") == [1]

        migrate(database_url)
        assert _matches(engine, "rye") == [1]
    finally:
        engine.dispose()
