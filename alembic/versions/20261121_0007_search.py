"""Full-text search: the built-in index (SQLite FTS5 kept by triggers, or a PostgreSQL stored
generated tsvector column with a GIN index), the typo vocabulary, and the Elasticsearch outbox. Indexes existing posts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same objects are named in microblog/services/search/ddl.py (kept out of the models).
_SQLITE_UP = (
    "CREATE VIRTUAL TABLE post_fts USING fts5(body, content='post', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER post_fts_update AFTER UPDATE OF body ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
    # Index the posts that exist already.
    "INSERT INTO post_fts(post_fts) VALUES ('rebuild')",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS post_fts_update",
    "DROP TRIGGER IF EXISTS post_fts_delete",
    "DROP TRIGGER IF EXISTS post_fts_insert",
    "DROP TABLE IF EXISTS post_fts",
)
_PG_UP = (
    # A stored vector: queries neither recompute to_tsvector (filter, ts_rank) nor depend on the
    # planner matching an index expression, and ANALYZE gathers its most-common-element
    # statistics. Adding it rewrites the table once (about a minute at 1M posts).
    "ALTER TABLE post ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', body)) STORED",
    "CREATE INDEX ix_post_body_search ON post USING gin (search_vector)",
    "ANALYZE post",
)
_PG_DOWN = (
    "DROP INDEX IF EXISTS ix_post_body_search",
    "ALTER TABLE post DROP COLUMN IF EXISTS search_vector",
)

# A frozen copy of the tokenizer (services/search/analysis.py) as it was when this ran.
_WORD = re.compile(r"[^\W_]+")
_BATCH = 10_000


def _fill_vocabulary() -> None:
    """Every word of 5..64 letters of the existing posts, read in batches by id."""
    bind = op.get_bind()
    term = sa.table("search_term", sa.column("term"))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, body FROM post WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last_id, "n": _BATCH},
        ).all()
        if not rows:
            return
        last_id = rows[-1][0]
        words = {w.lower() for _, body in rows for w in _WORD.findall(body)}
        known = {w for w in words if 5 <= len(w) <= 64}
        if bind.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        if known:
            bind.execute(
                insert(term).on_conflict_do_nothing(), [{"term": w} for w in sorted(known)]
            )


def upgrade() -> None:
    op.create_table(
        "search_term",
        sa.Column("term", AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("term"),
    )
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    statements = _PG_UP if op.get_bind().dialect.name == "postgresql" else _SQLITE_UP
    for statement in statements:
        op.execute(statement)
    _fill_vocabulary()


def downgrade() -> None:
    statements = _PG_DOWN if op.get_bind().dialect.name == "postgresql" else _SQLITE_DOWN
    for statement in statements:
        op.execute(statement)
    op.drop_table("search_outbox")
    op.drop_table("search_term")
