"""Each user's confusable skeleton (Unicode TR39), indexed, so a new username that only looks like
an existing one (`aIice` for `alice`) is refused with one indexed look-up.

The existing users' skeletons are computed here with the function the app uses
(`microblog.services.lookalikes.username_skeleton`, ICU's SpoofChecker), in batches. The index
is not unique: users registered before this revision may already share a skeleton, and they keep
their names.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel.sql.sqltypes import AutoString

from alembic import op
from microblog.services.lookalikes import username_skeleton

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
_USER = sa.table(
    "user",
    sa.column("id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("username_skeleton", sa.String),
)


def upgrade() -> None:
    op.add_column("user", sa.Column("username_skeleton", AutoString(length=256), nullable=True))
    conn = op.get_bind()
    update = (
        sa.update(_USER)
        .where(_USER.c.id == sa.bindparam("user_id"))
        .values(username_skeleton=sa.bindparam("skeleton"))
    )
    last_id = 0
    while True:
        rows = conn.execute(
            sa.select(_USER.c.id, _USER.c.username)
            .where(_USER.c.id > last_id)
            .order_by(_USER.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            update,
            [{"user_id": user_id, "skeleton": username_skeleton(name)} for user_id, name in rows],
        )
        last_id = rows[-1][0]
    # After the backfill: one index build instead of an index update per row.
    op.create_index("ix_user_username_skeleton", "user", ["username_skeleton"])


def downgrade() -> None:
    op.drop_index("ix_user_username_skeleton", table_name="user")
    # A plain DROP COLUMN (SQLite >= 3.35): a batch table copy would lose the user table's
    # expression indexes.
    op.drop_column("user", "username_skeleton")
