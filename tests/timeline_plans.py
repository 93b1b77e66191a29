"""The home timeline's two plans run alone, for tests and benchmarks: each returns the post ids of
one page, so the plans can be compared with each other and with the obvious query."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import TextClause, text
from sqlmodel import Session

from microblog.services.follows import followed_ids
from microblog.services.timeline import MERGE, SCAN, _execute_plan, _ids_sql


@lru_cache(maxsize=256)
def _ids_statement(dialect: str, plan: str, size: int) -> TextClause:
    return text(_ids_sql(dialect, plan, size))


def _ids_with_plan(session: Session, plan: str, user_id: int, offset: int, limit: int) -> list[int]:
    authors = [user_id, *followed_ids(session, user_id=user_id)]
    result = _execute_plan(session, _ids_statement, plan, authors, offset, limit)
    return list(result.scalars().all())


def _ids_scanning_recent_posts(
    session: Session, user_id: int, offset: int, limit: int
) -> list[int]:
    """The scan plan's page of post ids alone (for tests and benchmarks)."""
    return _ids_with_plan(session, SCAN, user_id, offset, limit)


def _ids_merging_authors(session: Session, user_id: int, offset: int, limit: int) -> list[int]:
    """The merge plan's page of post ids alone (for tests and benchmarks)."""
    return _ids_with_plan(session, MERGE, user_id, offset, limit)
