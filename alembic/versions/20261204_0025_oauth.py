"""OAuth 2 for the Mastodon client API (microblog/mastodon): registered apps, authorization
codes (one use, minutes long, with the PKCE challenge) and access tokens with their scopes.

Secrets, codes and tokens are kept as SHA-256 only. Codes and tokens disappear with their app
and their user; a token without a user is an app's own (client credentials).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(name: str, table: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(
        name, sa.Integer(), sa.ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "oauth_app",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", AutoString(length=64), nullable=False),
        sa.Column("secret_hash", AutoString(length=64), nullable=False),
        sa.Column("name", AutoString(length=200), nullable=False),
        sa.Column("website", AutoString(length=2000), nullable=True),
        sa.Column("redirect_uris", AutoString(length=2000), nullable=False),
        sa.Column("scopes", AutoString(length=500), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    op.create_table(
        "oauth_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", AutoString(length=64), nullable=False),
        _fk("app_id", "oauth_app"),
        _fk("user_id", "user"),
        sa.Column("redirect_uri", AutoString(length=2000), nullable=False),
        sa.Column("scopes", AutoString(length=500), nullable=False),
        sa.Column("code_challenge", AutoString(length=128), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_index("ix_oauth_code_app_id", "oauth_code", ["app_id"])
    op.create_index("ix_oauth_code_user_id", "oauth_code", ["user_id"])
    op.create_table(
        "oauth_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", AutoString(length=64), nullable=False),
        _fk("app_id", "oauth_app"),
        _fk("user_id", "user", nullable=True),
        sa.Column("scopes", AutoString(length=500), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_oauth_token_app_id", "oauth_token", ["app_id"])
    op.create_index("ix_oauth_token_user_id", "oauth_token", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_oauth_token_user_id", table_name="oauth_token")
    op.drop_index("ix_oauth_token_app_id", table_name="oauth_token")
    op.drop_table("oauth_token")
    op.drop_index("ix_oauth_code_user_id", table_name="oauth_code")
    op.drop_index("ix_oauth_code_app_id", table_name="oauth_code")
    op.drop_table("oauth_code")
    op.drop_table("oauth_app")
