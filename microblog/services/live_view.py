"""What every page shows its reader whatever the page: the navbar's unread badges, its Announce
and Moderation links, and the announcement banner. Read when a tab connects and again when the
reader's inbox changes (state/live.py), in one read-only unit of work."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from microblog.schemas import AnnouncementRow
from microblog.services import announcements, conversations, moderation, notifications, users


@dataclass(frozen=True)
class LiveView:
    unread_messages: int = 0
    unread_notifications: int = 0
    announcement: AnnouncementRow | None = None
    is_admin: bool = False
    is_moderator: bool = False


def read_live_view(session: Session, *, user_id: int) -> LiveView:
    """The banner for everyone (`user_id` 0: a visitor); badges and the admin flag for a
    signed-in user. Reads only."""
    current = announcements.current_announcement(session, user_id=user_id or None)
    if not user_id:
        return LiveView(announcement=current)
    user = users.get_user(session, user_id)
    return LiveView(
        unread_messages=conversations.unread_message_count(session, user_id=user_id),
        unread_notifications=notifications.unread_count(
            session, user_id=user_id, read_up_to=user.last_notification_read_id
        ),
        announcement=current,
        is_admin=announcements.is_admin(user),
        is_moderator=moderation.is_moderator(user),
    )
