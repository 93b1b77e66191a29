"""The built-in index's database objects, which live outside the SQLModel models (an FTS5
virtual table and its triggers on SQLite; a stored generated tsvector column on `post` and its
GIN index on PostgreSQL). Migration 0007 creates them; the model/migration comparison
(alembic/env.py, tests/unit/test_migrations.py) leaves exactly these names alone.

Why the column is not in the `Post` model: it exists on PostgreSQL only (SQLite has no tsvector
and FTS5 keeps its own index), and one SQLAlchemy table cannot have a column on one dialect and
not the other (`create_all`, `select(Post)` and inserts would all name it on SQLite). Left out of
the model, `select(Post)` never reads the vector either, which keeps feed queries lean."""

from __future__ import annotations

from typing import Any

SQLITE_FTS_TABLE = "post_fts"
# FTS5 keeps its data in shadow tables named after the virtual table.
SQLITE_FTS_TABLES = frozenset(
    {SQLITE_FTS_TABLE} | {f"{SQLITE_FTS_TABLE}_{s}" for s in ("data", "idx", "docsize", "config")}
)
SQLITE_TRIGGERS = ("post_fts_insert", "post_fts_delete", "post_fts_update")
POSTGRES_INDEX = "ix_post_body_search"
POSTGRES_COLUMN = "search_vector"
"""`post.search_vector`: `GENERATED ALWAYS AS (to_tsvector('english', body)) STORED`."""
POSTGRES_CONFIG = "english"
"""The text search configuration of the index expression; queries must use the same one."""


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's `include_object` hook: skip the built-in index's objects, nothing else."""
    if type_ == "table" and name in SQLITE_FTS_TABLES:
        return False
    if type_ == "column" and name == POSTGRES_COLUMN and getattr(obj, "table", None) is not None:
        return bool(obj.table.name != "post")
    return not (type_ == "index" and name == POSTGRES_INDEX)
