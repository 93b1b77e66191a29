"""Background tasks (the post export), one active task per user and name.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", AutoString(length=36), nullable=False),
        sa.Column("name", AutoString(length=40), nullable=False),
        sa.Column("description", AutoString(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", AutoString(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("error", AutoString(length=500), nullable=True),
        sa.Column("result_path", AutoString(length=200), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_task_user_created", "task", ["user_id", "created"])
    op.create_index(
        "uq_task_user_name_active",
        "task",
        ["user_id", "name"],
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("uq_task_user_name_active", table_name="task")
    op.drop_index("ix_task_user_created", table_name="task")
    op.drop_table("task")
