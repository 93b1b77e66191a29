"""Link cards no post uses are deleted: `link_card.used_at` (when a post last took the card),
indexed, so the hourly clean-up (services/link_cards.py `delete_unused_link_cards`) reads only
the cards unused for the grace period. Existing cards start at their `created` time.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import UTCDateTime

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column: a plain ALTER on both backends, no copy of the table.
    op.add_column("link_card", sa.Column("used_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE link_card SET used_at = created")
    op.create_index("ix_link_card_used_at", "link_card", ["used_at"])


def downgrade() -> None:
    op.drop_index("ix_link_card_used_at", table_name="link_card")
    with op.batch_alter_table("link_card") as batch:
        batch.drop_column("used_at")
