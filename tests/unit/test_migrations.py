"""The Alembic migrations build exactly the schema the models describe, on both backends, and
can be undone and redone."""

from __future__ import annotations

import re
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from microblog.db import make_engine
from microblog.services.search.ddl import include_object
from tests.conftest import downgrade, migrate

APP_TABLES = {
    "user",
    "follow",
    "post",
    "auth_session",
    "login_ticket",
    "message",
    "announcement",
    "notification",
    "login_failure",
    "task",
    "api_token",
    "search_term",
    "search_outbox",
    "search_failure",
    "mail_outbox",
    "conversation",
    "follow_notice",
    "media_attachment",
    "link_card",
}


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _index_definitions(engine: Engine, table: str) -> dict[str, str]:
    """Index name -> its CREATE statement, from the catalog (reflection skips expression indexes
    on SQLite)."""
    if engine.dialect.name == "sqlite":
        query = text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t")
    else:
        query = text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = :t AND schemaname = current_schema()"
        )
    with engine.connect() as conn:
        return {name: sql or "" for name, sql in conn.execute(query, {"t": table})}


def test_models_and_migrations_agree(database_url: str) -> None:
    """A model change without a migration (or the reverse) shows up here, not in production."""
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":  # the test's private schema, not `public`
                assert conn.execute(text("select current_schema()")).scalar() != "public"
            context = MigrationContext.configure(
                # The built-in search index (FTS5 tables, a GIN expression index) lives outside
                # the models; test_search_migration.py checks it.
                conn,
                opts={"compare_type": True, "include_object": include_object},
            )
            with warnings.catch_warnings():
                # SQLite cannot reflect expression indexes, so autogenerate skips the two
                # lower() indexes there (and says so); the next test checks them directly.
                warnings.filterwarnings("ignore", message=".*expression-based index")
                diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_case_insensitive_unique_indexes_exist(database_url: str) -> None:
    migrate(database_url)
    engine = make_engine(database_url)
    try:
        definitions = _index_definitions(engine, "user")
        for column in ("username", "email"):
            sql = definitions[f"uq_user_{column}_lower"].lower().replace('"', "")
            assert "unique" in sql
            # SQLite keeps `lower(username)`; PostgreSQL says `lower((username)::text)`.
            assert re.search(rf"lower\(\(?{column}\)?(::text)?\)", sql), sql

        insert = text(
            'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
            "VALUES (:u, :e, 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
        with engine.begin() as conn:
            conn.execute(insert, {"u": "susan", "e": "susan@example.com"})
        for username, email in (("Susan", "other@example.com"), ("other", "SUSAN@example.com")):
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(insert, {"u": username, "e": email})
        with engine.connect() as conn:
            assert conn.execute(text('SELECT count(*) FROM "user"')).scalar() == 1
    finally:
        engine.dispose()


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    migrate(database_url)
    assert _table_names(database_url) >= APP_TABLES

    downgrade(database_url, "base")
    assert _table_names(database_url) & APP_TABLES == set()
    assert _table_names(database_url) <= {"alembic_version"}

    migrate(database_url)
    assert _table_names(database_url) >= APP_TABLES


def _post_indexes(url: str) -> dict[str, list[str]]:
    engine = make_engine(url)
    try:
        return {
            index["name"]: list(index["column_names"])
            for index in inspect(engine).get_indexes("post")
        }
    finally:
        engine.dispose()


def test_post_timeline_index_covers_author(database_url: str) -> None:
    """0002 adds `user_id` to the newest-first index (the home timeline's scan reads the author
    from it) and its downgrade puts the old index back."""
    migrate(database_url, "0002")
    indexes = _post_indexes(database_url)
    assert indexes["ix_post_timestamp_user"] == ["timestamp", "id", "user_id"]
    assert indexes["ix_post_user_timestamp"] == ["user_id", "timestamp", "id"]
    assert "ix_post_timestamp" not in indexes

    downgrade(database_url, "0001")
    indexes = _post_indexes(database_url)
    assert indexes["ix_post_timestamp"] == ["timestamp", "id"]
    assert "ix_post_timestamp_user" not in indexes

    migrate(database_url)
    # 0014 adds the columns the home timeline filters on after these three.
    assert _post_indexes(database_url)["ix_post_timestamp_user"][:3] == [
        "timestamp",
        "id",
        "user_id",
    ]


def _user_columns(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("user")}
    finally:
        engine.dispose()


def test_email_confirmation_keeps_existing_accounts_able_to_log_in(database_url: str) -> None:
    """0011 adds the confirmation columns with every existing account confirmed; its downgrade
    drops them and keeps the accounts (and the user table's case-insensitive indexes)."""
    migrate(database_url, "0010")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
                    "VALUES ('old', 'old@example.com', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
        migrate(database_url, "0011")
        with engine.connect() as conn:
            confirmed = conn.execute(text('SELECT email_confirmed FROM "user"')).scalar_one()
        assert confirmed in (True, 1)
        downgrade(database_url, "0010")
        assert not {"email_confirmed", "confirmation_sent_at"} & _user_columns(database_url)
        assert "uq_user_email_lower" in _index_definitions(engine, "user")
        with engine.connect() as conn:
            assert conn.execute(text('SELECT username FROM "user"')).scalar_one() == "old"
        migrate(database_url)
        assert {"email_confirmed", "confirmation_sent_at"} <= _user_columns(database_url)
    finally:
        engine.dispose()
