"""Pictures in posts: the `media_attachment` table, and on `post` the card's copy of its
pictures (`media_json`) and their alt texts (`media_alt_text`), which the built-in search now
indexes with the body.

Search: SQLite's FTS5 table gets a second column (`media_alt_text`, read from `post` like the
body) and is rebuilt; PostgreSQL's stored `search_vector` becomes
`to_tsvector('english', body || ' ' || media_alt_text)`, which rewrites the table once (about a
minute at 1M posts, as migration 0007 did). No post has pictures yet, so what is indexed does
not change, only how.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_DROP_SQLITE_INDEX = (
    "DROP TRIGGER IF EXISTS post_fts_update",
    "DROP TRIGGER IF EXISTS post_fts_delete",
    "DROP TRIGGER IF EXISTS post_fts_insert",
    "DROP TABLE IF EXISTS post_fts",
)
# SQLite: migration 0007's search table and triggers, with the alt texts as a second column.
_SQLITE_WITH_ALT_TEXT = (
    *_DROP_SQLITE_INDEX,
    "CREATE VIRTUAL TABLE post_fts USING fts5(body, media_alt_text, content='post', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_fts(rowid, body, media_alt_text) "
    "VALUES (new.id, new.body, new.media_alt_text); END",
    "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, body, media_alt_text) "
    "VALUES ('delete', old.id, old.body, old.media_alt_text); END",
    "CREATE TRIGGER post_fts_update AFTER UPDATE OF body, media_alt_text ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, body, media_alt_text) "
    "VALUES ('delete', old.id, old.body, old.media_alt_text); "
    "INSERT INTO post_fts(rowid, body, media_alt_text) "
    "VALUES (new.id, new.body, new.media_alt_text); END",
    "INSERT INTO post_fts(post_fts) VALUES ('rebuild')",
)
# ... and back to the body alone, exactly as 0007 made it.
_SQLITE_BODY_ONLY = (
    *_DROP_SQLITE_INDEX,
    "CREATE VIRTUAL TABLE post_fts USING fts5(body, content='post', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER post_fts_update AFTER UPDATE OF body ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO post_fts(post_fts) VALUES ('rebuild')",
)


def _pg_vector(expression: str) -> tuple[str, ...]:
    return (
        "DROP INDEX IF EXISTS ix_post_body_search",
        "ALTER TABLE post DROP COLUMN IF EXISTS search_vector",
        "ALTER TABLE post ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS (to_tsvector('english', {expression})) STORED",
        "CREATE INDEX ix_post_body_search ON post USING gin (search_vector)",
        "ANALYZE post",
    )


def upgrade() -> None:
    op.add_column("post", sa.Column("media_json", AutoString(), nullable=True))
    op.add_column(
        "post", sa.Column("media_alt_text", AutoString(), nullable=False, server_default="")
    )
    op.create_table(
        "media_attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "post_id", sa.Integer(), sa.ForeignKey("post.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file_name", AutoString(length=80), nullable=False),
        sa.Column("thumb_name", AutoString(length=80), nullable=False),
        sa.Column("content_type", AutoString(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("thumb_width", sa.Integer(), nullable=False),
        sa.Column("thumb_height", sa.Integer(), nullable=False),
        sa.Column("blurhash", AutoString(length=64), nullable=False),
        sa.Column("alt_text", AutoString(length=1500), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_media_attachment_post", "media_attachment", ["post_id", "position"])
    op.create_index(
        "ix_media_attachment_orphans",
        "media_attachment",
        ["created_at"],
        sqlite_where=sa.text("post_id IS NULL"),
        postgresql_where=sa.text("post_id IS NULL"),
    )
    op.create_index("ix_media_attachment_file", "media_attachment", ["file_name"])
    op.create_index("ix_media_attachment_thumb", "media_attachment", ["thumb_name"])
    statements = (
        _SQLITE_WITH_ALT_TEXT
        if op.get_bind().dialect.name == "sqlite"
        else _pg_vector("body || ' ' || media_alt_text")
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Back to the body alone before the column it also reads goes.
    for statement in _SQLITE_BODY_ONLY if sqlite else _pg_vector("body"):
        op.execute(statement)
    op.drop_table("media_attachment")
    # Plain DROP COLUMNs (SQLite >= 3.35; nothing refers to them any more): a batch table copy
    # would lose the post table's triggers and named keys.
    op.drop_column("post", "media_alt_text")
    op.drop_column("post", "media_json")
