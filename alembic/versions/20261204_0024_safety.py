"""Safety: blocks, mutes, conversation mutes, reports, hidden posts and the moderators' audit
log (services/safety.py, services/moderation.py), and the account flags they need.

`user` gains `is_moderator`, `suspended`, `limited` (all off) and `message_policy`
("everyone", as it was). `disabled` and `is_admin` (0022) stay the operator's: a suspension is
the moderators' own flag, so lifting it never re-enables an account the operator disabled.

Indexes serve the feeds' anti-joins (a primary-key probe of user_block and user_mute per entry,
`ix_user_suspended` holding only suspended accounts, hidden_post's primary key), the open
reports queue (a partial index of the open ones) and a target's history.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import UTCDateTime

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENT_MAX = 1000


def _user(name: str, *, primary_key: bool = False, nullable: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.Integer(),
        sa.ForeignKey("user.id", ondelete="SET NULL" if nullable else "CASCADE"),
        primary_key=primary_key,
        nullable=nullable,
    )


def upgrade() -> None:
    # Plain ALTERs, as 0022: a batch copy of `user` on SQLite would rebuild the table.
    for name in ("is_moderator", "suspended", "limited"):
        op.add_column(
            "user", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.add_column(
        "user",
        sa.Column(
            "message_policy", sa.String(length=10), nullable=False, server_default="everyone"
        ),
    )
    op.create_index(
        "ix_user_suspended",
        "user",
        ["id"],
        sqlite_where=sa.text("suspended"),
        postgresql_where=sa.text("suspended"),
    )
    op.create_table(
        "user_block",
        _user("blocker_id", primary_key=True),
        _user("blocked_id", primary_key=True),
        sa.Column("created", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_user_block_blocked", "user_block", ["blocked_id", "blocker_id"])
    op.create_table(
        "user_mute",
        _user("muter_id", primary_key=True),
        _user("muted_id", primary_key=True),
        sa.Column("hide_notifications", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_user_mute_muted", "user_mute", ["muted_id", "muter_id"])
    op.create_table(
        "conversation_mute",
        _user("user_id", primary_key=True),
        sa.Column(
            "root_id",
            sa.Integer(),
            sa.ForeignKey("post.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("created", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "hidden_post",
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("post.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        _user("author_id"),
        sa.Column("reason", sa.String(length=COMMENT_MAX), nullable=False),
        _user("moderator_id", nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user("reporter_id"),
        _user("target_user_id"),
        sa.Column(
            "post_id", sa.Integer(), sa.ForeignKey("post.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.String(length=COMMENT_MAX), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        _user("resolver_id", nullable=True),
    )
    op.create_index(
        "ix_report_open",
        "report",
        ["id"],
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index("ix_report_target", "report", ["target_user_id", "id"])
    op.create_index("ix_report_reporter", "report", ["reporter_id", "id"])
    op.create_table(
        "moderation_action",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user("moderator_id", nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        _user("target_user_id", nullable=True),
        sa.Column(
            "post_id", sa.Integer(), sa.ForeignKey("post.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("report.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("reason", sa.String(length=COMMENT_MAX), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_moderation_action_target", "moderation_action", ["target_user_id", "id"])


def downgrade() -> None:
    for table in (
        "moderation_action",
        "report",
        "hidden_post",
        "conversation_mute",
        "user_mute",
        "user_block",
    ):
        op.drop_table(table)
    op.drop_index("ix_user_suspended", table_name="user")
    for name in ("message_policy", "limited", "suspended", "is_moderator"):
        op.drop_column("user", name)
