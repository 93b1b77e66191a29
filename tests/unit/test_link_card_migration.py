"""Migration 0019: the link cards and the post's `link_card_id`, up and down on both backends,
with posts (and SQLite's search triggers) surviving the way down."""

from __future__ import annotations

from sqlalchemy import inspect, text

from microblog.db import make_engine
from tests.conftest import downgrade, migrate

_USER = text(
    'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
    "VALUES ('ann', 'ann@example.com', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
_POST = text('INSERT INTO post (body, "timestamp", user_id) VALUES (:body, CURRENT_TIMESTAMP, 1)')
_CARD = text(
    "INSERT INTO link_card (url, status, title, description, site_name, canonical_url, image, "
    "created) VALUES ('https://example.com/', 'ok', 'T', 'D', '', '', '', CURRENT_TIMESTAMP)"
)


def test_link_cards_up_down_up(database_url: str) -> None:
    migrate(database_url, "0018")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(_USER)
            conn.execute(_POST, {"body": "before the cards"})
        migrate(database_url, "0019")
        inspector = inspect(engine)
        assert "link_card" in inspector.get_table_names()
        assert "link_card_id" in {c["name"] for c in inspector.get_columns("post")}
        assert "ix_post_link_card" in {i["name"] for i in inspector.get_indexes("post")}
        keys = inspector.get_foreign_keys("post")
        assert [k["constrained_columns"] for k in keys if k["referred_table"] == "link_card"] == [
            ["link_card_id"]
        ]
        with engine.begin() as conn:
            conn.execute(_CARD)
            conn.execute(text("UPDATE post SET link_card_id = 1"))
            conn.execute(text("DELETE FROM link_card"))  # the post stays, without its card
            assert conn.execute(text("SELECT link_card_id FROM post")).scalar_one() is None

        downgrade(database_url, "0018")
        inspector = inspect(engine)
        assert "link_card" not in inspector.get_table_names()
        assert "link_card_id" not in {c["name"] for c in inspector.get_columns("post")}
        with engine.begin() as conn:
            assert conn.execute(text("SELECT body FROM post")).scalar_one() == "before the cards"
            conn.execute(_POST, {"body": "findable afterwards"})
        migrate(database_url, "head")
        with engine.connect() as conn:  # the search index still follows new posts
            found = "SELECT rowid FROM post_fts WHERE post_fts MATCH 'findable'"
            if conn.dialect.name == "postgresql":
                found = "SELECT id FROM post WHERE search_vector @@ to_tsquery('findable')"
            assert conn.execute(text(found)).all()
    finally:
        engine.dispose()
