"""Migration 0014: existing posts get their rendered body, tags and mentions; boosts, likes and
replies go back down cleanly; the built-in search still finds posts after both directions."""

from __future__ import annotations

from sqlalchemy import Engine, text

from microblog.db import make_engine
from tests.conftest import downgrade, migrate

_USER = text(
    'INSERT INTO "user" (id, username, email, password_hash, last_seen, created) '
    "VALUES (:id, :name, :email, 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
_POST = text(
    'INSERT INTO post (id, body, "timestamp", user_id) '
    "VALUES (:id, :body, CURRENT_TIMESTAMP, :user_id)"
)


def _search_ids(engine: Engine, word: str) -> list[int]:
    """What the built-in index holds for a word (SQLite's FTS table kept by triggers,
    PostgreSQL's generated column), read directly: it must work at either revision."""
    if engine.dialect.name == "sqlite":
        query = text("SELECT rowid FROM post_fts WHERE post_fts MATCH :w ORDER BY rowid")
    else:
        query = text(
            "SELECT id FROM post WHERE search_vector @@ plainto_tsquery('english', :w) ORDER BY id"
        )
    with engine.connect() as conn:
        return list(conn.execute(query, {"w": word}).scalars())


def test_existing_posts_are_rendered_and_the_change_undoes(database_url: str) -> None:
    migrate(database_url, "0013")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(_USER, {"id": 1, "name": "Susan", "email": "s@example.com"})
            conn.execute(_USER, {"id": 2, "name": "john", "email": "j@example.com"})
            conn.execute(_POST, {"id": 1, "body": "hello @susan, **see** #Python", "user_id": 2})
            conn.execute(_POST, {"id": 2, "body": "<script>alert(1)</script>", "user_id": 1})
        migrate(database_url, "0014")
        with engine.begin() as conn:
            rendered = {i: html for i, html in conn.execute(text("SELECT id, body_html FROM post"))}
            assert '<a href="/user/Susan"' in rendered[1] and "<strong>see</strong>" in rendered[1]
            assert "<script>" not in rendered[2] and "&lt;script&gt;" in rendered[2]
            tags = conn.execute(text("SELECT name FROM tag")).scalars().all()
            assert tags == ["python"]
            assert conn.execute(text("SELECT post_id, user_id FROM mention")).all() == [(1, 1)]
            # A boost, a like and a reply, which the way down must drop or forget.
            conn.execute(
                text(
                    'INSERT INTO post (id, body, "timestamp", user_id, boost_of_id) '
                    "VALUES (3, '', CURRENT_TIMESTAMP, 1, 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO post_like (post_id, user_id, created) "
                    "VALUES (1, 1, CURRENT_TIMESTAMP)"
                )
            )
        assert _search_ids(engine, "hello") == [1]

        downgrade(database_url, "0013")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT id FROM post ORDER BY id")).scalars().all() == [1, 2]
        # The search triggers (SQLite) and generated column (PostgreSQL) survive the copy.
        with engine.begin() as conn:
            conn.execute(_POST, {"id": 4, "body": "goodbye friends", "user_id": 1})
        assert _search_ids(engine, "goodbye") == [4]
        migrate(database_url, "head")
        with engine.begin() as conn:
            conn.execute(_POST, {"id": 5, "body": "farewell friends", "user_id": 1})
        assert _search_ids(engine, "farewell") == [5]
        assert sorted(_search_ids(engine, "friends")) == [4, 5]
    finally:
        engine.dispose()
