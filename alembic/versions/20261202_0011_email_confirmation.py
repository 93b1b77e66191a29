"""Email confirmation at registration: an account made while the site sends real email waits
for its owner to open the link emailed to the address (services/registration.py). Every account
that exists already is confirmed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import UTCDateTime

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user",
        sa.Column("email_confirmed", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("user", sa.Column("confirmation_sent_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMNs (SQLite >= 3.35): a batch table copy would lose the user table's
    # expression indexes.
    op.drop_column("user", "confirmation_sent_at")
    op.drop_column("user", "email_confirmed")
