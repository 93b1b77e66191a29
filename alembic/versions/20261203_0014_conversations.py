"""Conversations: replies, boosts, likes, hashtags, mentions, edits with history, and the body
rendered once as safe HTML.

A reply points at the post it answers (`reply_to_id`, SET NULL when that goes) and at its author
(`reply_to_user_id`, for "replying to @name" and the home timeline's reply rule). A boost is a
post row of its own (`boost_of_id`, CASCADE), so followed authors' boosts reach the home timeline
through the indexes their posts already use. The counters are kept by the services in the same
transaction as the rows they count. Existing posts get their rendered body, tags and mentions
here, with the function the app uses (`microblog.services.rich_text.render_post`), in batches.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000
POST_BODY_MAX = 5000
_FEED_INDEXES = {
    "ix_post_user_timestamp": ("user_id", "timestamp", "id"),
    "ix_post_timestamp_user": ("timestamp", "id", "user_id"),
}


def _new_post_columns() -> list[sa.Column[object]]:
    def reference(name: str, target: str, ondelete: str) -> sa.Column[object]:
        key = sa.ForeignKey(f"{target}.id", ondelete=ondelete, name=f"fk_post_{name}_{target}")
        return sa.Column(name, sa.Integer(), key)

    return [
        sa.Column("body_html", AutoString(), nullable=False, server_default=""),
        reference("reply_to_id", "post", "SET NULL"),
        reference("reply_to_user_id", "user", "SET NULL"),
        reference("boost_of_id", "post", "CASCADE"),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        *(
            sa.Column(counter, sa.Integer(), nullable=False, server_default="0")
            for counter in ("reply_count", "like_count", "boost_count")
        ),
    ]


# The built-in search's generated column (migration 0007) reads `body`, and PostgreSQL refuses
# to change the type of a column a generated column uses: it is dropped and made again around
# the change (one table rewrite, as when 0007 added it).
_PG_SEARCH_DOWN = (
    "DROP INDEX IF EXISTS ix_post_body_search",
    "ALTER TABLE post DROP COLUMN IF EXISTS search_vector",
)
_PG_SEARCH_UP = (
    "ALTER TABLE post ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', body)) STORED",
    "CREATE INDEX ix_post_body_search ON post USING gin (search_vector)",
)

# The built-in search's triggers on SQLite, as migration 0007 made them.
_SQLITE_SEARCH_TRIGGERS_DOWN = (
    "DROP TRIGGER IF EXISTS post_fts_update",
    "DROP TRIGGER IF EXISTS post_fts_delete",
    "DROP TRIGGER IF EXISTS post_fts_insert",
)
_SQLITE_SEARCH_TRIGGERS_UP = (
    "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER post_fts_update AFTER UPDATE OF body ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO post_fts(rowid, body) VALUES (new.id, new.body); END",
)


def _resize_body_on_postgresql(length: int) -> None:
    for statement in _PG_SEARCH_DOWN:
        op.execute(statement)
    op.alter_column("post", "body", type_=AutoString(length=length))
    for statement in _PG_SEARCH_UP:
        op.execute(statement)


def _notification_post_id() -> sa.Column[object]:
    key = sa.ForeignKey("post.id", ondelete="CASCADE", name="fk_notification_post_id_post")
    return sa.Column("post_id", sa.Integer(), key)


def _sqlite_copy_of(table: str) -> Any:
    """Alembic's batch mode: SQLite cannot add a foreign key or change a column type in place,
    so the table is copied. The search triggers on `post` go with the old table and are made
    again after."""
    return op.batch_alter_table(
        table,
        recreate="always",
        naming_convention={"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"},
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for statement in _SQLITE_SEARCH_TRIGGERS_DOWN:
            op.execute(statement)
        with _sqlite_copy_of("post") as batch:
            batch.alter_column("body", type_=AutoString(length=POST_BODY_MAX))
            for column in _new_post_columns():
                batch.add_column(column)
        for statement in _SQLITE_SEARCH_TRIGGERS_UP:
            op.execute(statement)
        with _sqlite_copy_of("notification") as batch:
            batch.add_column(_notification_post_id())
    else:
        _resize_body_on_postgresql(POST_BODY_MAX)
        for column in _new_post_columns():
            op.add_column("post", column)
        op.add_column("notification", _notification_post_id())
    # The feeds' indexes carry the two columns the home timeline filters on (services/timeline.py).
    for name, columns in _FEED_INDEXES.items():
        op.drop_index(name, table_name="post")
        op.create_index(name, "post", [*columns, "reply_to_user_id", "boost_of_id"])
    op.create_index("ix_post_reply_to", "post", ["reply_to_id", "timestamp", "id"])
    # Partial: only boosts (see models.Post); `boost_of_id IS NULL` must not pick it.
    op.create_index(
        "uq_post_boost_of_user",
        "post",
        ["boost_of_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("boost_of_id IS NOT NULL"),
        postgresql_where=sa.text("boost_of_id IS NOT NULL"),
    )

    op.create_table(
        "post_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("post.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("body", AutoString(length=POST_BODY_MAX), nullable=False),
        sa.Column("body_html", AutoString(), nullable=False),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_post_edit_post", "post_edit", ["post_id", "id"])
    op.create_table(
        "post_like",
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("post.id", ondelete="CASCADE")),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id", ondelete="CASCADE")),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("post_id", "user_id"),
    )
    op.create_index("ix_post_like_user", "post_like", ["user_id", "created"])
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "post_tag",
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("post.id", ondelete="CASCADE")),
        sa.Column("tag_id", sa.Integer(), sa.ForeignKey("tag.id", ondelete="CASCADE")),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("post_id", "tag_id"),
    )
    op.create_index("ix_post_tag_newest", "post_tag", ["tag_id", "timestamp", "post_id"])
    op.create_table(
        "mention",
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("post.id", ondelete="CASCADE")),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id", ondelete="CASCADE")),
        sa.PrimaryKeyConstraint("post_id", "user_id"),
    )
    op.create_index("ix_mention_user_id", "mention", ["user_id"])
    _render_existing_posts()


def _render_existing_posts() -> None:
    """Every existing post's rendered body, tags and mentions, as a new post would get them."""
    from microblog.services.post_body import backfill_rendered_bodies

    backfill_rendered_bodies(op.get_bind(), batch=BATCH)


def downgrade() -> None:
    op.drop_index("ix_mention_user_id", table_name="mention")
    op.drop_table("mention")
    op.drop_index("ix_post_tag_newest", table_name="post_tag")
    op.drop_table("post_tag")
    op.drop_table("tag")
    op.drop_index("ix_post_like_user", table_name="post_like")
    op.drop_table("post_like")
    op.drop_index("ix_post_edit_post", table_name="post_edit")
    op.drop_table("post_edit")
    # Boosts have no text of their own: they go with the columns that made them boosts.
    op.execute("DELETE FROM post WHERE boost_of_id IS NOT NULL")
    if op.get_bind().dialect.name == "sqlite":
        with _sqlite_copy_of("notification") as batch:
            batch.drop_column("post_id")
    else:
        op.drop_column("notification", "post_id")
    op.drop_index("uq_post_boost_of_user", table_name="post")
    op.drop_index("ix_post_reply_to", table_name="post")
    for name, columns in _FEED_INDEXES.items():
        op.drop_index(name, table_name="post")
        op.create_index(name, "post", list(columns))
    columns = (
        "boost_count",
        "like_count",
        "reply_count",
        "edited_at",
        "boost_of_id",
        "reply_to_user_id",
        "reply_to_id",
        "body_html",
    )
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that is a foreign key: the table is copied without them,
        # and the search triggers (migration 0007), which go with the old table, made again.
        for statement in _SQLITE_SEARCH_TRIGGERS_DOWN:
            op.execute(statement)
        with _sqlite_copy_of("post") as batch:
            for column in columns:
                batch.drop_column(column)
            batch.alter_column("body", type_=AutoString(length=140))
        for statement in _SQLITE_SEARCH_TRIGGERS_UP:
            op.execute(statement)
    else:
        for column in columns:
            op.drop_column("post", column)
    if op.get_bind().dialect.name == "postgresql":
        # Longer posts are cut to fit the old column rather than lost to a failed downgrade.
        op.execute("UPDATE post SET body = left(body, 140) WHERE length(body) > 140")
        _resize_body_on_postgresql(140)
