"""Link previews: a card per web page (`link_card`, keyed by the normalised URL, shared by every
post whose first link it is) and the post's `link_card_id` (services/link_cards.py).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The built-in search's triggers on SQLite, as migration 0018 left them (the body and the
# pictures' alt texts): a copied table loses them, so they are made again.
_SQLITE_SEARCH_TRIGGERS_DOWN = (
    "DROP TRIGGER IF EXISTS post_fts_update",
    "DROP TRIGGER IF EXISTS post_fts_delete",
    "DROP TRIGGER IF EXISTS post_fts_insert",
)
_SQLITE_SEARCH_TRIGGERS_UP = (
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
)


@contextmanager
def _sqlite_copy_of_post() -> Iterator[Any]:
    """Alembic's batch mode copies the table; the search triggers go with the old one and are
    made again on the copy."""
    for statement in _SQLITE_SEARCH_TRIGGERS_DOWN:
        op.execute(statement)
    with op.batch_alter_table(
        "post",
        recreate="always",
        naming_convention={"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"},
    ) as batch:
        yield batch
    for statement in _SQLITE_SEARCH_TRIGGERS_UP:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "link_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", AutoString(length=2048), nullable=False),
        sa.Column("status", AutoString(length=10), nullable=False),
        sa.Column("title", AutoString(length=200), nullable=False),
        sa.Column("description", AutoString(length=300), nullable=False),
        sa.Column("site_name", AutoString(length=80), nullable=False),
        sa.Column("canonical_url", AutoString(length=2048), nullable=False),
        sa.Column("image", AutoString(length=300), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=True),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_link_card_url", "link_card", ["url"], unique=True)
    key = sa.ForeignKey("link_card.id", ondelete="SET NULL", name="fk_post_link_card_id_link_card")
    column = sa.Column("link_card_id", sa.Integer(), key, nullable=True)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a foreign key only by copying the table (Alembic's batch mode).
        with _sqlite_copy_of_post() as batch:
            batch.add_column(column)
    else:
        op.add_column("post", column)
    op.create_index("ix_post_link_card", "post", ["link_card_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_post_link_card", table_name="post")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that is a foreign key: the table is copied without it.
        with _sqlite_copy_of_post() as batch:
            batch.drop_column("link_card_id")
    else:
        op.drop_column("post", "link_card_id")
    op.drop_index("uq_link_card_url", table_name="link_card")
    op.drop_table("link_card")
