"""Run side effects only once the database transaction they describe has committed.

Live events and emails say "this happened". Sent before the commit, a receiver could look for a
row that is not there yet, or learn of something that then rolls back. So services queue the side
effect on their session with `defer(session, action)`; it runs after the outermost commit, and is
dropped on rollback.

Savepoints (`session.begin_nested()`, used by follow() and register_user()) fire the same
SQLAlchemy hooks, so: a savepoint's release runs nothing (the outer transaction may still roll
back), and a savepoint's rollback drops only what was queued since it began.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

_PENDING = "microblog_after_commit"
_SAVEPOINT_STARTS = "microblog_after_commit_savepoints"


def defer(session: Session, action: Callable[[], object]) -> None:
    """Run `action()` after this session's outermost transaction commits; never if it rolls
    back. Actions run in the committing thread, in order; keep them quick (hand slow work to a
    pool), and they must not raise (a failure is logged and the others still run). What an
    action returns is ignored."""
    session.info.setdefault(_PENDING, []).append(action)


def pending_count(session: Session) -> int:
    return len(session.info.get(_PENDING, ()))


@sa_event.listens_for(Session, "after_transaction_create")
def _remember_savepoint_start(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(_SAVEPOINT_STARTS, {})[transaction] = pending_count(session)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if previous_transaction.nested:
        start = session.info.get(_SAVEPOINT_STARTS, {}).pop(previous_transaction, 0)
        del pending[start:]
    elif previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_savepoints(session: Session, transaction: SessionTransaction) -> None:
    # Only at the outermost end: a rolled-back savepoint ends before after_soft_rollback reads
    # its start.
    if transaction.parent is None:
        session.info.pop(_SAVEPOINT_STARTS, None)


@sa_event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the outer transaction may still roll back
    for action in session.info.pop(_PENDING, []):
        try:
            action()
        except Exception:
            log.exception("An after-commit action failed")
