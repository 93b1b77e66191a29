"""Site-wide announcements by the ADMINS: a banner on every open page, kept for later visitors
until each user dismisses it."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from microblog.config import get_settings
from microblog.i18n import _l
from microblog.live.events import ANNOUNCEMENT, INBOX, LiveEvent, publish_after_commit
from microblog.models import ANNOUNCEMENT_MAX, Announcement, User
from microblog.schemas import AnnouncementRow
from microblog.services import notifications
from microblog.services.errors import Forbidden, Invalid
from microblog.services.text import require_storable
from microblog.services.users import get_user


def is_admin(user: User) -> bool:
    """An administrator: the account's flag (`user create --admin`), or its address in ADMINS
    (services/accounts.py says why both)."""
    return user.is_admin or user.email.strip().lower() in get_settings().admins


def post_announcement(session: Session, *, author_id: int, body: str) -> Announcement:
    author = get_user(session, author_id)
    if not is_admin(author):
        raise Forbidden(_l("Only administrators can post announcements."))
    body = (body or "").strip()
    require_storable(announcement=body)
    if not body:
        raise Invalid({"announcement": _l("Write the announcement first.")})
    if len(body) > ANNOUNCEMENT_MAX:
        raise Invalid(
            {
                "announcement": _l(
                    "Announcements can have at most %(max)d characters (%(count)d now).",
                    max=ANNOUNCEMENT_MAX,
                    count=len(body),
                )
            }
        )
    announcement = Announcement(author_id=author_id, body=body)
    session.add(announcement)
    session.flush()
    notifications.notify_everyone_of_announcement(session, announcement_id=announcement.id or 0)
    publish_after_commit(session, LiveEvent(ANNOUNCEMENT, ref_id=announcement.id or 0))
    return announcement


def current_announcement(session: Session, *, user_id: int | None) -> AnnouncementRow | None:
    """The newest announcement this reader has not dismissed (visitors: simply the newest)."""
    dismissed = get_user(session, user_id).dismissed_announcement_id if user_id else 0
    row = session.exec(
        select(Announcement, User)
        .join(User, col(User.id) == col(Announcement.author_id))
        .where(col(Announcement.id) > dismissed)
        .order_by(col(Announcement.id).desc())
        .limit(1)
    ).first()
    return AnnouncementRow.of(*row) if row else None


def dismiss_announcement(session: Session, *, user_id: int, announcement_id: int) -> None:
    """Dismiss this announcement and every older one (the marker only moves forward)."""
    session.execute(
        update(User)
        .where(col(User.id) == user_id)
        .where(col(User.dismissed_announcement_id) < announcement_id)
        .values(dismissed_announcement_id=announcement_id)
    )
    # The user's other tabs drop the banner too.
    publish_after_commit(session, LiveEvent(INBOX, user_ids=(user_id,)))


def announcement_for_readers(
    session: Session, *, announcement_id: int, user_ids: set[int]
) -> tuple[AnnouncementRow | None, dict[int, int], dict[int, int]]:
    """What a new announcement changes for many readers at once: the row, each user's dismissal
    marker, and each user's unread notification count (capped). Three queries for any number
    of open tabs, instead of a re-read per tab."""
    row = session.exec(
        select(Announcement, User)
        .join(User, col(User.id) == col(Announcement.author_id))
        .where(col(Announcement.id) == announcement_id)
    ).first()
    if not user_ids:
        return (AnnouncementRow.of(*row) if row else None), {}, {}
    ids = sorted(user_ids)
    dismissed = {
        user_id: marker
        for user_id, marker in session.exec(
            select(User.id, User.dismissed_announcement_id).where(col(User.id).in_(ids))
        ).all()
        if user_id is not None  # a stored row's primary key never is
    }
    unread = notifications.unread_counts(session, user_ids=ids)
    return (AnnouncementRow.of(*row) if row else None), dismissed, unread
