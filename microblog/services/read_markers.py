"""Unread counts and "mark as read" for per-user inboxes (notifications; messages are counted
per conversation instead, services/conversations.py).

Each inbox row has an owner column and a growing id; the user keeps one marker column, "read up
to this id". Unread is then a short range on the (owner, id) index, counted only up to
UNREAD_CAP + 1 (badges say "99+"), and marking read is one guarded UPDATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from microblog.live.events import INBOX, LiveEvent, publish_after_commit
from microblog.models import User

UNREAD_CAP = 99


def count_unread(
    session: Session,
    *,
    id_column: Any,
    owner_column: Any,
    user_id: int,
    after: int,
    where: Sequence[Any] = (),
) -> int:
    """Rows of the user above the marker (those meeting `where` too), up to UNREAD_CAP + 1."""
    newer = (
        select(col(id_column))
        .where(col(owner_column) == user_id, *where)
        .where(col(id_column) > after)
        .limit(UNREAD_CAP + 1)
        .subquery()
    )
    return int(session.exec(select(func.count()).select_from(newer)).one())


def mark_read(
    session: Session, *, id_column: Any, owner_column: Any, marker: Any, user_id: int
) -> int:
    """Move the user's `marker` to their newest row; returns the previous marker, so the page
    that marked them can still highlight what was new. The marker only moves forward, even if
    two tabs mark at once, and the user's open tabs re-read their badges after the commit."""
    previous = int(session.exec(select(marker).where(col(User.id) == user_id)).one())
    newest = session.exec(select(func.max(id_column)).where(col(owner_column) == user_id)).one()
    if newest and newest > previous:
        session.execute(
            update(User)
            .where(col(User.id) == user_id)
            .where(col(marker) < newest)
            .values({marker.key: newest})
        )
        publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))
    return previous
