"""Notifications: new follower, new message, announcement, and replies, mentions, likes and
boosts of the user's posts. Rows persist, so every tab and every reload shows the same list as
the live stream; unread is "id above the user's read marker".

The likes of one post are one line of the list ("ann and 3 others liked your post"), and its
boosts another: a group, with one row per person (their newest like or boost). The group's
newest row is its line and carries `others`, how many more people it stands for; its older rows
have NULL there (models.Notification). `notify` and `withdraw` keep that true in the transaction
that adds or takes back the like or boost, so reading a page is one range of the lines' partial
index: a page holds 25 lines, each with its true count, however many likes stand behind them,
and a deep page skips lines in the index without reading the rows behind them.

Two people liking the same post at once do not both take its line: the like's counter update
(services/reactions.py) locks the post's row first, so the second waits for the first to commit
and then sees its line; the unique indexes would refuse a second line rather than keep it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, literal, literal_column, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from microblog.i18n import _l
from microblog.live.events import INBOX, LiveEvent, publish_after_commit
from microblog.models import Announcement, Notification, User, table_of, utcnow
from microblog.routes import user_url
from microblog.schemas import NotificationRow, Page
from microblog.services import read_markers, visibility
from microblog.services.errors import NotFound
from microblog.services.pagination import (
    WALKS,
    Walk,
    ids_between,
    keyset_page,
    make_page,
    page_window,
    walk_of,
)
from microblog.services.users import get_user

FOLLOWER = "follower"
MESSAGE = "message"
ANNOUNCEMENT = "announcement"
EXPORT = "export"  # an export of the user's posts is ready (services/exports.py)
EXPORT_READY = _l("Your posts have been exported: download them from your profile.")
# About one of the user's posts (`post_id`): someone replied to it, liked it, boosted it; or a
# post mentions the user.
REPLY = "reply"
MENTION = "mention"
LIKE = "like"
BOOST = "boost"

# Moderation (services/safety.py, services/moderation.py): a report was received, a report
# was resolved, one of the user's posts was hidden (`post_id`).
REPORT_RECEIVED = "report_received"
REPORT_RESOLVED = "report_resolved"  # closed without action (dismissed)
REPORT_ACTIONED = "report_actioned"  # a moderator acted on it (hid the post, limited, suspended)
POST_HIDDEN = "post_hidden"

ALL_KINDS = (
    FOLLOWER,
    MESSAGE,
    ANNOUNCEMENT,
    EXPORT,
    REPLY,
    MENTION,
    LIKE,
    BOOST,
    REPORT_RECEIVED,
    REPORT_RESOLVED,
    REPORT_ACTIONED,
    POST_HIDDEN,
)
GROUPED = (LIKE, BOOST)  # one line per post and kind (models.NOTIFICATION_GROUPED)

UNREAD_CAP = read_markers.UNREAD_CAP  # badges say "99+" beyond this; counting stops there


_N = table_of(Notification).c
# Literals, not bound parameters: SQLite uses a partial index only when the query repeats its
# predicate (models.NOTIFICATION_GROUPED, "others IS NOT NULL") term for term.
_IN_A_GROUP = _N.kind.in_([literal_column("'like'"), literal_column("'boost'")])
_IS_LINE = _N.others.is_not(None)


def notify(
    session: Session,
    *,
    user_id: int,
    kind: str,
    actor_id: int | None = None,
    post_id: int | None = None,
) -> None:
    """Record a notification for one user and tell their open tabs after the commit. A like or
    boost joins its post's group and becomes its line. Nothing is recorded when the user
    blocks or mutes the actor, is blocked by them, or the actor is suspended
    (services/visibility.py `silenced`)."""
    if actor_id is not None and visibility.silenced(session, user_id=user_id, actor_id=actor_id):
        return
    others = 0
    if kind in GROUPED and actor_id is not None and post_id is not None:
        others = _join_group(
            session, user_id=user_id, kind=kind, actor_id=actor_id, post_id=post_id
        )
    session.execute(
        insert(table_of(Notification)).values(
            user_id=user_id,
            kind=kind,
            actor_id=actor_id,
            post_id=post_id,
            others=others,
            created=utcnow(),
        )
    )
    publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))


def _group(user_id: int, kind: str, post_id: int) -> tuple[Any, ...]:
    return (_N.user_id == user_id, _N.post_id == post_id, _N.kind == kind, _IN_A_GROUP)


def _join_group(session: Session, *, user_id: int, kind: str, actor_id: int, post_id: int) -> int:
    """Make room for the actor's new row as its group's line: their older row goes (a group
    counts people), the current line becomes an ordinary row. Returns the new line's `others`.
    Two look-ups on the groups' unique indexes, whatever the size of the group."""
    group = _group(user_id, kind, post_id)
    line = session.execute(sa_select(_N.id, _N.others).where(*group, _IS_LINE)).first()
    mine = session.execute(sa_select(_N.id).where(*group, _N.actor_id == actor_id)).scalar()
    if mine is not None:
        session.execute(delete(Notification).where(_N.id == mine))
    if line is None:
        return 0
    if line.id != mine:
        session.execute(update(Notification).where(_N.id == line.id).values(others=None))
    return int(line.others) + (0 if mine is not None else 1)


def withdraw(session: Session, *, user_id: int, kind: str, actor_id: int, post_id: int) -> None:
    """Take back an unread like or boost whose cause was undone (an unlike, an unboost), so a
    like clicked twice by mistake does not leave a notice behind. A read one stays: the user
    saw it happen. Its group counts one person fewer; if it was the group's line, the group's
    newest remaining row becomes the line."""
    owner = get_user(session, user_id)
    group = _group(user_id, kind, post_id)
    found = session.execute(
        sa_select(_N.id, _N.others).where(
            *group, _N.actor_id == actor_id, _N.id > owner.last_notification_read_id
        )
    ).first()
    if found is None:
        return
    session.execute(delete(Notification).where(_N.id == found.id))
    if found.others is None:
        session.execute(update(Notification).where(*group, _IS_LINE).values(others=_N.others - 1))
    else:
        newest = session.execute(
            sa_select(_N.id).where(*group).order_by(_N.id.desc()).limit(1)
        ).scalar()
        if newest is not None:
            session.execute(
                update(Notification).where(_N.id == newest).values(others=found.others - 1)
            )
    publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))


def notify_everyone_of_announcement(session: Session, *, announcement_id: int) -> int:
    """One notification row per user, in one INSERT … SELECT (no rows through Python)."""
    created = table_of(Notification).c.created
    rows = select(
        col(User.id),
        literal(ANNOUNCEMENT),
        literal(announcement_id),
        literal(utcnow(), type_=created.type),
    )
    result = session.exec(
        insert(Notification).from_select(["user_id", "kind", "announcement_id", "created"], rows),
        execution_options={"preserve_rowcount": True},
    )
    return int(result.rowcount or 0)


def unread_count(session: Session, *, user_id: int, read_up_to: int | None = None) -> int:
    """Unread lines of the list (a group with any unread like counts once), counted up to
    UNREAD_CAP + 1 on the lines' index."""
    if read_up_to is None:
        read_up_to = get_user(session, user_id).last_notification_read_id
    return read_markers.count_unread(
        session,
        id_column=Notification.id,
        owner_column=Notification.user_id,
        user_id=user_id,
        after=read_up_to,
        where=(_IS_LINE, visibility.notification_shown()),
    )


def unread_counts(session: Session, *, user_ids: list[int]) -> dict[int, int]:
    """Unread lines of many users in one grouped query (users with none are absent), each
    capped at UNREAD_CAP + 1 like `unread_count`."""
    if not user_ids:
        return {}
    statement = (
        select(Notification.user_id, func.count())
        .join(User, col(User.id) == col(Notification.user_id))
        .where(col(Notification.user_id).in_(user_ids))
        .where(col(Notification.id) > col(User.last_notification_read_id))
        .where(_IS_LINE)
        .where(visibility.notification_shown())  # type: ignore[arg-type]
        .group_by(col(Notification.user_id))
    )
    return {user: min(int(n), UNREAD_CAP + 1) for user, n in session.exec(statement).all()}


# A page of the user's lines, newest first: one range of `ix_notification_lines`, the skipped
# lines of a deep page included (index only), and only then the page's rows, their actors and
# announcements, by primary key.
# A `min_id` page (services/pagination.py) walks the same range oldest first from the bound.
_ACTOR = aliased(User, name="actor")


def _list_statement(walk: Walk) -> Any:
    newest = walk == "newest"
    page = (
        sa_select(_N.id)
        .where(_N.user_id == bindparam("user_id"), _IS_LINE, visibility.NOTIFICATION_SHOWN)
        .where(_N.id < bindparam("max_id"), _N.id > bindparam("since_id"))
        .where(_N.kind.in_(bindparam("kinds", expanding=True)))
        .order_by(_N.id.desc() if newest else _N.id.asc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .subquery("page")
    )
    order = col(Notification.id).desc() if newest else col(Notification.id).asc()
    return (
        select(Notification, _ACTOR, Announcement)
        .select_from(page)
        .join(Notification, col(Notification.id) == page.c.id)
        .outerjoin(_ACTOR, col(_ACTOR.id) == col(Notification.actor_id))
        .outerjoin(Announcement, col(Announcement.id) == col(Notification.announcement_id))
        .order_by(order)
    )


_LIST = {walk: _list_statement(walk) for walk in WALKS}


def list_notifications(
    session: Session,
    *,
    user_id: int,
    page: int,
    per_page: int,
    read_up_to: int | None = None,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    kinds: Sequence[str] = ALL_KINDS,
) -> Page[NotificationRow]:
    """Newest first, one line per notification or group, in one statement; lines above
    `read_up_to` (by default the user's read marker) are unread. Reading page 1 does not mark
    anything read: `mark_all_read` does. `max_id`, `since_id` (keyset bounds) and `kinds`
    narrow the list (the Mastodon API's)."""
    owner = get_user(session, user_id)
    if read_up_to is None:
        read_up_to = owner.last_notification_read_id
    offset, limit = page_window(page, per_page)
    parameters = {
        "user_id": user_id,
        "offset": offset,
        "limit": limit,
        "kinds": list(kinds),
        "now": utcnow(),
    }
    walk = walk_of(min_id)
    lower = since_id if min_id is None else max(since_id or 0, min_id)
    rows = session.exec(_LIST[walk], params=parameters | ids_between(max_id, lower))

    def line(row: Row) -> NotificationRow:
        return _row(*row, read_up_to=read_up_to, owner=owner.username)

    found = make_page(rows.all(), page=page, per_page=per_page, to_item=line)
    return keyset_page(found, walk, min_id=min_id)


Row = tuple[Notification, User | None, Announcement | None]


def _row(
    notification: Notification,
    actor: User | None,
    announcement: Announcement | None,
    *,
    read_up_to: int,
    owner: str,
) -> NotificationRow:
    item = NotificationRow.of(
        notification, actor, announcement, read_up_to=read_up_to, others=notification.others or 0
    )
    if notification.kind == EXPORT:
        # The file may have been replaced by a newer export since: the profile has the latest.
        # Marked for the catalogs, so the page shows it in the reader's language (as the
        # other kinds' lines): a plain literal was never extracted and stayed English.
        item.text = EXPORT_READY
        item.href = user_url(owner)
    return item


def mark_all_read(session: Session, *, user_id: int) -> int:
    """Move the read marker to the newest notification; returns the previous marker."""
    return read_markers.mark_read(
        session,
        id_column=Notification.id,
        owner_column=Notification.user_id,
        marker=User.last_notification_read_id,
        user_id=user_id,
    )


@dataclass(frozen=True)
class OpenedPage:
    """A page of the list as its reader sees it, and the marker its "new" flags are drawn from
    (lines above it are new)."""

    listing: Page[NotificationRow]
    new_after: int


def read_notifications(
    session: Session, *, user_id: int, page: int, per_page: int, new_after: int | None = None
) -> OpenedPage:
    """The Notifications page: a page of notifications, then all of them marked read (the badge
    of every open tab clears after the commit). The lines keep the unread flag they had before,
    or with `new_after` (an open page reading again passes the one it was opened with) the one
    they had then: a like arriving on an open page says "new" there until the page is left."""
    marker = get_user(session, user_id).last_notification_read_id
    since = marker if new_after is None else min(new_after, marker)
    listing = list_notifications(
        session, user_id=user_id, page=page, per_page=per_page, read_up_to=since
    )
    mark_all_read(session, user_id=user_id)
    return OpenedPage(listing=listing, new_after=since)


def dismiss_notification(session: Session, *, user_id: int, notification_id: int) -> None:
    """Delete one of the user's lines (a group's line: the whole group). NotFound for a line
    that is not theirs."""
    row = session.execute(
        sa_select(_N.kind, _N.post_id).where(
            _N.id == notification_id, _N.user_id == user_id, _IS_LINE
        )
    ).first()
    if row is None:
        raise NotFound(_l("No such notification."))
    if row.kind in GROUPED and row.post_id is not None:
        session.execute(delete(Notification).where(*_group(user_id, row.kind, row.post_id)))
    else:
        session.execute(delete(Notification).where(_N.id == notification_id))
    publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))


def clear_notifications(session: Session, *, user_id: int) -> int:
    """Delete all of the user's notifications; returns how many rows went."""
    result = session.execute(delete(Notification).where(_N.user_id == user_id))
    publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))
    return int(getattr(result, "rowcount", 0) or 0)


def mark_read_up_to(session: Session, *, user_id: int, last_read_id: int) -> int:
    """Move the read marker forward to `last_read_id` (a client's marker; never past the
    newest notification, never back); returns the marker."""
    owner = get_user(session, user_id)
    newest = session.execute(sa_select(func.max(_N.id)).where(_N.user_id == user_id)).scalar()
    target = min(last_read_id, int(newest or 0))
    if target > owner.last_notification_read_id:
        owner.last_notification_read_id = target
        session.add(owner)
        session.flush()
        publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))
    return owner.last_notification_read_id
