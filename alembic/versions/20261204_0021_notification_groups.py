"""Notification groups: the likes of one post are one line of the list, and its boosts another,
grouped in the database instead of within one page of rows.

`notification.others` is set on a line (how many more people its group stands for; 0 on a
notification of its own) and NULL on the older rows of a group, which the line stands for. The
partial index `ix_notification_lines` then holds just the lines, so a page of the list, and the
badge's unread lines, are one range of it. Three partial indexes on the likes and boosts alone
find a group's line, one person's row in it and its newest rows when a like or boost comes or
goes (services/notifications.py); two of them are unique, one row per person and one line per
group.

Backfill: a person's older rows in a group (liked, read, unliked and liked again) go, since the
group counts people; then each group's newest row becomes its line, counting the rest.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPED = "kind IN ('like', 'boost')"
LINE = "others IS NOT NULL"
_DROP_OLDER_ROWS_OF_A_PERSON = (
    "DELETE FROM notification WHERE kind IN ('like', 'boost') AND id NOT IN ("
    "SELECT MAX(id) FROM notification WHERE kind IN ('like', 'boost') "
    "GROUP BY user_id, post_id, kind, actor_id)"
)
_OLDER_ROWS_ARE_NO_LINES = (
    "UPDATE notification SET others = NULL WHERE kind IN ('like', 'boost') AND id NOT IN ("
    "SELECT MAX(id) FROM notification WHERE kind IN ('like', 'boost') "
    "GROUP BY user_id, post_id, kind)"
)
# Per line, one range of uq_notification_group_actor (made before this runs).
_LINES_COUNT_THE_OTHERS = (
    "UPDATE notification SET others = ("
    "SELECT COUNT(*) - 1 FROM notification AS member "
    "WHERE member.user_id = notification.user_id AND member.post_id = notification.post_id "
    "AND member.kind = notification.kind AND member.kind IN ('like', 'boost')) "
    "WHERE kind IN ('like', 'boost') AND others IS NOT NULL"
)


def upgrade() -> None:
    op.add_column(
        "notification", sa.Column("others", sa.Integer(), nullable=True, server_default="0")
    )
    op.execute(_DROP_OLDER_ROWS_OF_A_PERSON)
    op.create_index(
        "uq_notification_group_actor",
        "notification",
        ["user_id", "post_id", "kind", "actor_id"],
        unique=True,
        sqlite_where=sa.text(GROUPED),
        postgresql_where=sa.text(GROUPED),
    )
    op.create_index(
        "ix_notification_group",
        "notification",
        ["user_id", "post_id", "kind", "id"],
        sqlite_where=sa.text(GROUPED),
        postgresql_where=sa.text(GROUPED),
    )
    op.execute(_OLDER_ROWS_ARE_NO_LINES)
    op.execute(_LINES_COUNT_THE_OTHERS)
    op.create_index(
        "uq_notification_group_line",
        "notification",
        ["user_id", "post_id", "kind"],
        unique=True,
        sqlite_where=sa.text(f"{GROUPED} AND {LINE}"),
        postgresql_where=sa.text(f"{GROUPED} AND {LINE}"),
    )
    op.create_index(
        "ix_notification_lines",
        "notification",
        ["user_id", "id"],
        sqlite_where=sa.text(LINE),
        postgresql_where=sa.text(LINE),
    )


def downgrade() -> None:
    op.drop_index("ix_notification_lines", table_name="notification")
    op.drop_index("uq_notification_group_line", table_name="notification")
    op.drop_index("ix_notification_group", table_name="notification")
    op.drop_index("uq_notification_group_actor", table_name="notification")
    op.drop_column("notification", "others")
