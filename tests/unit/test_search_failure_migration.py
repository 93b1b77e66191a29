"""Migration 0012: the table of posts whose documents Elasticsearch refused, up and down."""

from __future__ import annotations

from sqlalchemy import inspect, text

from microblog.db import make_engine
from tests.conftest import downgrade, migrate

_INSERT = text(
    "INSERT INTO search_failure "
    "(post_id, status, error_type, reason, attempts, first_failed, last_failed) "
    "VALUES (7, 400, 'document_parsing_exception', 'bad date', 1, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)


def test_search_failure_table_up_down_up(database_url: str) -> None:
    migrate(database_url, "0011")
    engine = make_engine(database_url)
    try:
        assert "search_failure" not in inspect(engine).get_table_names()
        migrate(database_url, "0012")
        inspector = inspect(engine)
        assert "search_failure" in inspector.get_table_names()
        assert inspector.get_pk_constraint("search_failure")["constrained_columns"] == ["post_id"]
        with engine.begin() as conn:
            conn.execute(_INSERT)
            assert conn.execute(text("SELECT post_id FROM search_failure")).scalars().all() == [7]

        downgrade(database_url, "0011")
        assert "search_failure" not in inspect(engine).get_table_names()
        migrate(database_url, "head")
        assert "search_failure" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
