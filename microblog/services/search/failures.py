"""Whose failure is a bulk item Elasticsearch did not take: the document's, or the engine's.

One bulk write carries many posts, and Elasticsearch answers for each item. An item it refuses
because of the document itself (HTTP 400: `document_parsing_exception` or
`mapper_parsing_exception` when a field does not fit the mapping, `illegal_argument_exception`)
will be refused again however often it is sent, so retrying it blocks every change behind it.
Such a post is kept aside in `search_failure` (the error, when, how often), logged, and the
outbox goes on; `python -m microblog search retry-failed` sends them again once the cause is
fixed. Anything else that is not done (429 when the engine is overloaded, 5xx, a 403 index
block) is the engine's trouble: the change stays in the outbox and is retried with backoff,
like a connection refused or a timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from microblog.models import SearchFailure, SearchOutbox, table_of, utcnow

log = logging.getLogger(__name__)

REASON_MAX = 2000  # the column's length; Elasticsearch's reasons quote the field's value
CHUNK = 500


class Outcome(Enum):
    ACCEPTED = "accepted"  # written (2xx), or a delete of what was never indexed (404)
    SUPERSEDED = "superseded"  # 409: a newer version is already there, nothing to do
    REFUSED = "refused"  # 400: the document's own failure, kept aside
    UNAVAILABLE = "unavailable"  # the engine's trouble: kept in the outbox, retried


@dataclass(frozen=True)
class ItemResult:
    """What Elasticsearch answered for one post of a bulk write."""

    post_id: int
    status: int
    error_type: str = ""
    reason: str = ""

    @property
    def outcome(self) -> Outcome:
        if self.status < 300 or self.status == 404:
            return Outcome.ACCEPTED
        if self.status == 409:
            return Outcome.SUPERSEDED
        if self.status == 400:
            return Outcome.REFUSED
        return Outcome.UNAVAILABLE


def item_results(response: dict[str, Any]) -> list[ItemResult]:
    """A bulk answer as one result per item, with the error's type and reason (and the reason
    of its cause, which says what was wrong: "failed to parse date field [...]")."""
    results = []
    for item in response.get("items", []):
        (_action, result), *_ = item.items()
        error = result.get("error") or {}
        if isinstance(error, str):  # very old servers answered a plain string
            error = {"reason": error}
        reason = str(error.get("reason") or "")
        cause = error.get("caused_by") or {}
        if cause.get("reason"):
            reason = f"{reason} (caused by {cause.get('type', 'error')}: {cause['reason']})"
        results.append(
            ItemResult(
                post_id=int(result["_id"]),
                status=int(result.get("status", 200)),
                error_type=str(error.get("type") or ""),
                reason=reason,
            )
        )
    return results


def record(session: Session, results: Iterable[ItemResult]) -> None:
    """In the caller's transaction: keep the refused posts aside (or count one more attempt)
    and forget the failures of posts Elasticsearch has now accepted."""
    refused = [r for r in results if r.outcome is Outcome.REFUSED]
    accepted = [r.post_id for r in results if r.outcome is Outcome.ACCEPTED]
    # The table is nearly always empty: look before deleting by a reindex batch's thousands of
    # ids (and delete in chunks: SQLite caps the parameters of one statement).
    if accepted and session.exec(select(SearchFailure.post_id).limit(1)).first() is not None:
        for start in range(0, len(accepted), CHUNK):
            chunk = accepted[start : start + CHUNK]
            session.execute(delete(SearchFailure).where(col(SearchFailure.post_id).in_(chunk)))
    if not refused:
        return
    table = table_of(SearchFailure)
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    for result in refused:
        log.error(
            "Elasticsearch refused post %d (HTTP %d, %s): %s. Kept aside; "
            "`python -m microblog search retry-failed` sends it again.",
            result.post_id,
            result.status,
            result.error_type,
            result.reason,
        )
        values = {
            "post_id": result.post_id,
            "status": result.status,
            "error_type": result.error_type[:100],
            "reason": result.reason[:REASON_MAX],
            "attempts": 1,
            "first_failed": now,
            "last_failed": now,
        }
        statement = insert(table).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.post_id],
            set_={
                "status": statement.excluded.status,
                "error_type": statement.excluded.error_type,
                "reason": statement.excluded.reason,
                "attempts": table.c.attempts + 1,
                "last_failed": statement.excluded.last_failed,
            },
        )
        session.execute(statement)


def list_failures(session: Session, *, post_ids: list[int] | None = None) -> list[SearchFailure]:
    """The posts kept aside, oldest failure first."""
    statement = select(SearchFailure).order_by(
        col(SearchFailure.first_failed), col(SearchFailure.post_id)
    )
    if post_ids is not None:
        statement = statement.where(col(SearchFailure.post_id).in_(post_ids))
    return list(session.exec(statement).all())


def requeue(session: Session) -> list[int]:
    """Put every failed post back into the outbox (in the caller's transaction); returns their
    ids. The failure rows stay until Elasticsearch accepts the post (or refuses it again, which
    counts one more attempt)."""
    post_ids = list(
        session.exec(select(SearchFailure.post_id).order_by(col(SearchFailure.post_id)))
    )
    session.add_all(SearchOutbox(post_id=post_id) for post_id in post_ids)
    return post_ids
