"""The Mastodon client API's Idempotency-Key on posting (`status_idempotency`: a user's key,
hashed, and the status it posted, kept an hour) and its `home` timeline marker
(`timeline_marker`).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(name: str, table: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "status_idempotency",
        _fk("user_id", "user"),
        sa.Column("key_hash", AutoString(length=64), nullable=False),
        _fk("post_id", "post", nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key_hash"),
    )
    op.create_index("ix_status_idempotency_created", "status_idempotency", ["created"])
    op.create_index("ix_status_idempotency_post_id", "status_idempotency", ["post_id"])
    op.create_table(
        "timeline_marker",
        _fk("user_id", "user"),
        sa.Column("timeline", AutoString(length=20), nullable=False),
        sa.Column("last_read_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "timeline"),
    )


def downgrade() -> None:
    op.drop_table("timeline_marker")
    op.drop_index("ix_status_idempotency_post_id", table_name="status_idempotency")
    op.drop_index("ix_status_idempotency_created", table_name="status_idempotency")
    op.drop_table("status_idempotency")
