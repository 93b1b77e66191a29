"""Operators' flags on accounts: `disabled` (`python -m microblog user disable`: no login, no
session, no API token) and `is_admin` (`user create --admin`; ADMINS keeps working beside it).
Every existing account starts enabled and not an administrator, as it was.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTERs, as 0017: a batch copy of `user` on SQLite would rebuild the table and its
    # lower() indexes for two added columns.
    for name in ("disabled", "is_admin"):
        op.add_column(
            "user", sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    for name in ("is_admin", "disabled"):
        op.drop_column("user", name)
