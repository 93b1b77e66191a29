"""Documents Elasticsearch refused are kept aside (`search_failure`), not retried forever.

A bulk item the engine refuses (a mapping or parse error: HTTP 400 for that item) used to count
as an outage: the outbox kept the whole batch and retried it for ever, so no later change
reached the index. Now such a post gets a row here (the error, when, how often) and the outbox
goes on; `python -m microblog search retry-failed` sends them again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_failure",
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("error_type", AutoString(length=100), nullable=False),
        sa.Column("reason", AutoString(length=2000), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed", UTCDateTime(), nullable=False),
        sa.Column("last_failed", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("post_id"),
    )


def downgrade() -> None:
    op.drop_table("search_failure")
