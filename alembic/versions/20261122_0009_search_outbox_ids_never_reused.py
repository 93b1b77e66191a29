"""The search outbox's ids are never reused on SQLite (AUTOINCREMENT).

An outbox row's id is the version of its change in Elasticsearch, and a drain deletes the rows
it applied by id. Without AUTOINCREMENT, SQLite numbers a new row max(id) + 1, which restarts
at 1 whenever the outbox has been emptied: the next change then carried a version below the
one already in the index and was ignored (a deleted post stayed in the index), and a drain
that finished late could delete a newer row that had been given the id it applied. PostgreSQL
sequences never go back, so there this revision changes nothing.

An index written before this revision may hold versions above the ids the outbox now hands
out; `python -m microblog reindex` rewrites it at version 0.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild_outbox(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # A table copy keeps the waiting rows; SQLite records their highest id as the sequence.
    with op.batch_alter_table(
        "search_outbox", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    _rebuild_outbox(autoincrement=True)


def downgrade() -> None:
    _rebuild_outbox(autoincrement=False)
