"""Users, posts, follows, login sessions and login tickets.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user_fk(name: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([name], ["user.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", AutoString(length=64), nullable=False),
        sa.Column("email", AutoString(length=120), nullable=False),
        sa.Column("password_hash", AutoString(length=256), nullable=False),
        sa.Column("about_me", AutoString(length=140), nullable=True),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Alembic's autogenerate cannot compare expression indexes; they are written here by hand.
    op.create_index("uq_user_username_lower", "user", [sa.text("lower(username)")], unique=True)
    op.create_index("uq_user_email_lower", "user", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "auth_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        _user_fk("user_id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_auth_session_user_id", "auth_session", ["user_id"])

    op.create_table(
        "follow",
        sa.Column("follower_id", sa.Integer(), nullable=False),
        sa.Column("followed_id", sa.Integer(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        _user_fk("followed_id"),
        _user_fk("follower_id"),
        sa.PrimaryKeyConstraint("follower_id", "followed_id"),
    )
    op.create_index("ix_follow_followed_follower", "follow", ["followed_id", "follower_id"])

    op.create_table(
        "login_ticket",
        sa.Column("ticket_hash", AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("next_path", AutoString(length=512), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        _user_fk("user_id"),
        sa.PrimaryKeyConstraint("ticket_hash"),
    )

    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", AutoString(length=140), nullable=False),
        sa.Column("timestamp", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", AutoString(length=5), nullable=True),
        _user_fk("user_id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_post_timestamp", "post", ["timestamp", "id"])
    op.create_index("ix_post_user_timestamp", "post", ["user_id", "timestamp", "id"])


def downgrade() -> None:
    op.drop_index("ix_post_user_timestamp", table_name="post")
    op.drop_index("ix_post_timestamp", table_name="post")
    op.drop_table("post")
    op.drop_table("login_ticket")
    op.drop_index("ix_follow_followed_follower", table_name="follow")
    op.drop_table("follow")
    op.drop_index("ix_auth_session_user_id", table_name="auth_session")
    op.drop_table("auth_session")
    op.drop_index("uq_user_email_lower", table_name="user")
    op.drop_index("uq_user_username_lower", table_name="user")
    op.drop_table("user")
