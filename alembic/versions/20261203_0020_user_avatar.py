"""Uploaded avatars: the user's own picture (Edit profile, `PUT /api/users/me/avatar`), as the
names under which the media store keeps its two sizes (services/avatars.py). Empty for everyone
at first: Gravatar stays the picture of whoever has not uploaded one.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user", sa.Column("avatar", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # The pictures' files stay in the media store: nothing names them once the column is gone.
    op.drop_column("user", "avatar")
