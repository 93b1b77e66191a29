"""Post timeline index covers user_id: (timestamp, id) becomes (timestamp, id, user_id).

The home timeline of a user who follows many walks everyone's posts newest first and keeps those
by followed authors. With `user_id` in the index that check reads the index entry instead of the
table row (an index-only scan on PostgreSQL). Explore reads the same index in the same order.

The new index is built before the old one is dropped, so the feeds always have an index to walk.
Building it takes a few seconds at a million posts and blocks writes to `post` meanwhile.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_post_timestamp_user", "post", ["timestamp", "id", "user_id"])
    op.drop_index("ix_post_timestamp", table_name="post")


def downgrade() -> None:
    op.create_index("ix_post_timestamp", "post", ["timestamp", "id"])
    op.drop_index("ix_post_timestamp_user", table_name="post")
