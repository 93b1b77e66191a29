"""Private messages become conversations: a `conversation` row per person and correspondent,
kept by the send service, so the Messages page lists one statement's worth of rows instead of
grouping every message of the reader; a conversation's messages are read from a new pair index.

Unread messages are counted per conversation (`conversation.unread`) instead of by the user's
single read marker, which could not say "read this conversation, not that one". The backfill
turns the marker into those counts: a conversation's unread messages are the ones received in it
above the recipient's `last_message_read_id`; then the marker goes. The downgrade puts a marker
back that leaves every unread message unread (it is the message before the oldest unread one,
so read messages of other conversations above it count as unread again: the old rule cannot say
more).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = """
INSERT INTO conversation (owner_id, other_id, last_message_id, unread)
SELECT sides.owner_id, sides.other_id, MAX(sides.id),
       SUM(CASE WHEN sides.received = 1 AND sides.id > u.last_message_read_id THEN 1 ELSE 0 END)
FROM (
    SELECT sender_id AS owner_id, recipient_id AS other_id, id, 0 AS received FROM message
    UNION ALL
    SELECT recipient_id, sender_id, id, 1 FROM message
) AS sides
JOIN "user" AS u ON u.id = sides.owner_id
GROUP BY sides.owner_id, sides.other_id
"""

# The oldest unread message of each conversation is its `unread`-th newest received message.
_OLDEST_UNREAD = """
SELECT c.owner_id, MIN(ranked.id)
FROM (SELECT id, sender_id, recipient_id,
             ROW_NUMBER() OVER (PARTITION BY recipient_id, sender_id ORDER BY id DESC) AS n
      FROM message) AS ranked
JOIN conversation AS c ON c.owner_id = ranked.recipient_id AND c.other_id = ranked.sender_id
WHERE c.unread > 0 AND ranked.n = c.unread
GROUP BY c.owner_id
"""
_NEWEST_RECEIVED = "SELECT recipient_id, MAX(id) FROM message GROUP BY recipient_id"
_USER = sa.table("user", sa.column("id", sa.Integer), sa.column("last_message_read_id"))


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.Column("unread", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("owner_id", "other_id"),
    )
    op.execute(_BACKFILL)
    # After the backfill: one index build each instead of an index update per row.
    op.create_index(
        "ix_conversation_owner_last",
        "conversation",
        ["owner_id", "last_message_id", "other_id", "unread"],
    )
    op.create_index(
        "ix_conversation_owner_unread",
        "conversation",
        ["owner_id", "unread"],
        sqlite_where=sa.text("unread > 0"),
        postgresql_where=sa.text("unread > 0"),
    )
    op.create_index("ix_message_sender_recipient", "message", ["sender_id", "recipient_id", "id"])
    # The pair index starts with sender_id: it serves what the sender index did.
    op.drop_index("ix_message_sender_id", table_name="message")
    # A plain DROP COLUMN (SQLite >= 3.35): a batch table copy would lose the user table's
    # expression indexes.
    op.drop_column("user", "last_message_read_id")


def downgrade() -> None:
    op.add_column(
        "user",
        sa.Column("last_message_read_id", sa.Integer(), nullable=False, server_default="0"),
    )
    # The marker goes just below the oldest unread message, or onto the newest received message
    # when nothing is unread.
    conn = op.get_bind()
    markers = {user: newest for user, newest in conn.execute(sa.text(_NEWEST_RECEIVED))}
    for user, oldest_unread in conn.execute(sa.text(_OLDEST_UNREAD)):
        markers[user] = oldest_unread - 1
    if markers:
        conn.execute(
            sa.update(_USER)
            .where(_USER.c.id == sa.bindparam("user_id"))
            .values(last_message_read_id=sa.bindparam("marker")),
            [{"user_id": user, "marker": marker} for user, marker in markers.items()],
        )
    op.create_index("ix_message_sender_id", "message", ["sender_id"])
    op.drop_index("ix_message_sender_recipient", table_name="message")
    op.drop_index("ix_conversation_owner_unread", table_name="conversation")
    op.drop_index("ix_conversation_owner_last", table_name="conversation")
    op.drop_table("conversation")
