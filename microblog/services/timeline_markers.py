"""Where a reader stopped in a timeline, for Mastodon clients (`/api/v1/markers`): the `home`
marker, so an app (or the same account on another device) resumes at the last status read.
Stored per user and timeline (`timeline_marker`), moved wherever the client puts it, as on
Mastodon, with a version that counts the updates. The `notifications` marker is not here: it is
the user's read marker (services/read_markers.py, what the badge counts above)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from microblog.models import TimelineMarker, table_of, utcnow

TIMELINES = ("home",)


def get_markers(
    session: Session, *, user_id: int, timelines: Sequence[str] = TIMELINES
) -> dict[str, TimelineMarker]:
    """The user's stored markers of `timelines` (those of TIMELINES), by timeline."""
    wanted = [name for name in timelines if name in TIMELINES]
    if not wanted:
        return {}
    table = table_of(TimelineMarker)
    rows = session.execute(
        select(table).where(table.c.user_id == user_id, table.c.timeline.in_(wanted))
    ).all()
    return {
        row.timeline: TimelineMarker(
            user_id=row.user_id,
            timeline=row.timeline,
            last_read_id=row.last_read_id,
            version=row.version,
            updated_at=row.updated_at,
        )
        for row in rows
    }


def set_marker(
    session: Session,
    *,
    user_id: int,
    timeline: str,
    last_read_id: int,
    now: datetime | None = None,
) -> None:
    """Put the user's `timeline` marker at `last_read_id` (one atomic upsert: concurrent
    updates each count in the version)."""
    if timeline not in TIMELINES:
        raise ValueError(timeline)
    table = table_of(TimelineMarker)
    insert: Callable[[Table], postgresql.Insert | sqlite.Insert] = (
        postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    at = now or utcnow()
    statement = insert(table).values(
        user_id=user_id, timeline=timeline, last_read_id=last_read_id, version=1, updated_at=at
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.timeline],
            set_={"last_read_id": last_read_id, "version": table.c.version + 1, "updated_at": at},
        )
    )
