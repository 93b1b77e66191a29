"""Notifications: new follower, new message, announcement, and replies, mentions, likes and
boosts of the user's posts (likes and boosts of one post shown as one line). Rows persist, so
every tab and every reload shows the same list as the live stream; unread is "id above the
user's read marker"."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, literal
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from microblog.live.events import INBOX, LiveEvent, publish_after_commit
from microblog.models import Announcement, Notification, User, table_of, utcnow
from microblog.routes import user_url
from microblog.schemas import NotificationRow, Page
from microblog.services import read_markers
from microblog.services.pagination import make_page, page_window
from microblog.services.users import get_user

FOLLOWER = "follower"
MESSAGE = "message"
ANNOUNCEMENT = "announcement"
EXPORT = "export"  # an export of the user's posts is ready (services/exports.py)
# About one of the user's posts (`post_id`): someone replied to it, liked it, boosted it; or a
# post mentions the user.
REPLY = "reply"
MENTION = "mention"
LIKE = "like"
BOOST = "boost"

UNREAD_CAP = read_markers.UNREAD_CAP  # badges say "99+" beyond this; counting stops there


def notify(
    session: Session,
    *,
    user_id: int,
    kind: str,
    actor_id: int | None = None,
    post_id: int | None = None,
) -> None:
    """Record a notification for one user and tell their open tabs after the commit."""
    session.add(Notification(user_id=user_id, kind=kind, actor_id=actor_id, post_id=post_id))
    publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))


def withdraw(session: Session, *, user_id: int, kind: str, actor_id: int, post_id: int) -> None:
    """Take back an unread notification whose cause was undone (an unlike, an unboost), so a
    like clicked twice by mistake does not leave a notice behind. A read one stays: the user
    saw it happen."""
    owner = get_user(session, user_id)
    table = table_of(Notification).c
    session.execute(
        delete(Notification).where(
            table.user_id == user_id,
            table.kind == kind,
            table.actor_id == actor_id,
            table.post_id == post_id,
            table.id > owner.last_notification_read_id,
        )
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
    """Unread notifications, counted up to UNREAD_CAP + 1 on the (user_id, id) index."""
    if read_up_to is None:
        read_up_to = get_user(session, user_id).last_notification_read_id
    return read_markers.count_unread(
        session,
        id_column=Notification.id,
        owner_column=Notification.user_id,
        user_id=user_id,
        after=read_up_to,
    )


def unread_counts(session: Session, *, user_ids: list[int]) -> dict[int, int]:
    """Unread notifications of many users in one grouped query (users with none are absent),
    each capped at UNREAD_CAP + 1 like `unread_count`."""
    if not user_ids:
        return {}
    statement = (
        select(Notification.user_id, func.count())
        .join(User, col(User.id) == col(Notification.user_id))
        .where(col(Notification.user_id).in_(user_ids))
        .where(col(Notification.id) > col(User.last_notification_read_id))
        .group_by(col(Notification.user_id))
    )
    return {user: min(int(n), UNREAD_CAP + 1) for user, n in session.exec(statement).all()}


def list_notifications(
    session: Session, *, user_id: int, page: int, per_page: int
) -> Page[NotificationRow]:
    """Newest first. Reading page 1 does not mark anything read: `mark_all_read` does."""
    owner = get_user(session, user_id)
    read_up_to = owner.last_notification_read_id
    actor = aliased(User)
    offset, limit = page_window(page, per_page)
    statement = (
        select(Notification, actor, Announcement)
        .outerjoin(actor, col(actor.id) == col(Notification.actor_id))
        .outerjoin(Announcement, col(Announcement.id) == col(Notification.announcement_id))
        .where(Notification.user_id == user_id)
        .order_by(col(Notification.id).desc())
        .offset(offset)
        .limit(limit)
    )
    listing = make_page(
        session.exec(statement).all(), page=page, per_page=per_page, to_item=lambda row: row
    )
    items = [
        _row(*row, read_up_to=read_up_to, owner=owner.username, others=others, unread=unread)
        for row, others, unread in _grouped(listing.items, read_up_to=read_up_to)
    ]
    return Page(
        items=items,
        page=listing.page,
        per_page=per_page,
        has_next=listing.has_next,
        has_prev=listing.has_prev,
    )


_GROUPED = (LIKE, BOOST)
Row = tuple[Notification, User | None, Announcement | None]


def _grouped(rows: list[Row], *, read_up_to: int) -> list[tuple[Row, int, bool]]:
    """Likes and boosts of one post on this page as one line, at the newest one's place:
    (that row, how many others did the same, whether any of them is unread). One line per
    post and kind on a page; a post liked again a page later gets a line there too."""
    lines: list[tuple[Row, int, bool]] = []
    at: dict[tuple[str, int], int] = {}
    for row in rows:
        notification = row[0]
        unread = (notification.id or 0) > read_up_to
        key = (notification.kind, notification.post_id or 0)
        if notification.kind in _GROUPED and notification.post_id and key in at:
            place = at[key]
            first, others, any_unread = lines[place]
            lines[place] = (first, others + 1, any_unread or unread)
            continue
        at[key] = len(lines)
        lines.append((row, 0, unread))
    return lines


def _row(
    notification: Notification,
    actor: User | None,
    announcement: Announcement | None,
    *,
    read_up_to: int,
    owner: str,
    others: int = 0,
    unread: bool = False,
) -> NotificationRow:
    item = NotificationRow.of(
        notification, actor, announcement, read_up_to=read_up_to, others=others
    )
    item.unread = unread
    if notification.kind == EXPORT:
        # The file may have been replaced by a newer export since: the profile has the latest.
        item.text = "Your posts have been exported: download them from your profile."
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


def read_notifications(
    session: Session, *, user_id: int, page: int, per_page: int
) -> Page[NotificationRow]:
    """The Notifications page: a page of notifications, then all of them marked read (the badge
    of every open tab clears after the commit); the rows keep their unread flag from before."""
    listing = list_notifications(session, user_id=user_id, page=page, per_page=per_page)
    mark_all_read(session, user_id=user_id)
    return listing
