"""Follower-email setting, password-reset rate limit, failed-login counters.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user",
        sa.Column("email_on_follow", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("user", sa.Column("reset_requested_at", UTCDateTime(), nullable=True))
    op.create_table(
        "login_failure",
        sa.Column("key", AutoString(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("login_failure")
    op.drop_column("user", "reset_requested_at")
    op.drop_column("user", "email_on_follow")
