"""Private messages, notifications, announcements, and the user's read/dismiss markers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MARKERS = ("last_message_read_id", "last_notification_read_id", "dismissed_announcement_id")


def _user_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([name], ["user.id"], ondelete="CASCADE")


def upgrade() -> None:
    for marker in _MARKERS:
        op.add_column("user", sa.Column(marker, sa.Integer(), nullable=False, server_default="0"))

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("body", AutoString(length=140), nullable=False),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        _user_fk("sender_id"),
        _user_fk("recipient_id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_message_recipient_id", "message", ["recipient_id", "id"])
    op.create_index("ix_message_sender_id", "message", ["sender_id"])

    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", AutoString(length=280), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        _user_fk("author_id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_announcement_author_id", "announcement", ["author_id"])

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", AutoString(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("announcement_id", sa.Integer(), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        _user_fk("user_id"),
        _user_fk("actor_id"),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcement.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notification_user_id", "notification", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_notification_user_id", table_name="notification")
    op.drop_table("notification")
    op.drop_index("ix_announcement_author_id", table_name="announcement")
    op.drop_table("announcement")
    op.drop_index("ix_message_sender_id", table_name="message")
    op.drop_index("ix_message_recipient_id", table_name="message")
    op.drop_table("message")
    for marker in reversed(_MARKERS):
        op.drop_column("user", marker)
