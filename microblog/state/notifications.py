"""The Notifications page: replies, mentions, likes and boosts (one line per post and kind), new
followers, messages and announcements, newest first. Opening it marks them read, which clears
the badge on every open tab of the user."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from microblog import routes
from microblog.config import get_settings
from microblog.db import run_db
from microblog.live import events as ev
from microblog.schemas import NotificationRow, Page
from microblog.services import notifications
from microblog.services.pagination import clamp_page
from microblog.services.safety import SAFETY_CHANGED
from microblog.state import delivery
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required


class NotificationsState(PageData, rx.State):
    notifications: list[NotificationRow] = []
    page: int = 1
    has_next: bool = False
    has_prev: bool = False
    # The read marker when this page was opened: lines above it are flagged new until it is
    # left, however often it reads again.
    _new_after: int | None = None

    @rx.var
    def newer_href(self) -> str:
        return routes.page_url(routes.NOTIFICATIONS, self.page - 1)

    @rx.var
    def older_href(self) -> str:
        return routes.page_url(routes.NOTIFICATIONS, self.page + 1)

    async def _read(self, user_id: int, page: int, *, again: bool = False) -> None:
        """Read a page of lines: when opened, or `again` when something arrived. Page 1 marks
        everything read; lines that were new when it was opened stay flagged new."""
        per_page = get_settings().posts_per_page
        new_after = self._new_after if again else None

        def read(db: Session) -> tuple[Page[NotificationRow], int | None]:
            if page > 1 and again:
                listing = notifications.list_notifications(
                    db, user_id=user_id, page=page, per_page=per_page, read_up_to=new_after
                )
                return listing, new_after
            opened = notifications.read_notifications(
                db, user_id=user_id, page=page, per_page=per_page, new_after=new_after
            )
            return opened.listing, opened.new_after

        listing, self._new_after = await run_db(read)
        # Translated in the browser from each line's message (pages/notifications.py), so a
        # language switch changes the lines in place; `text` (in the tab's language when read)
        # is what shows for an announcement, whose words are its author's.
        lang = await language_of(self)
        self.notifications = [row.for_page(lang) for row in listing.items]
        self.page, self.has_next, self.has_prev = listing.page, listing.has_next, listing.has_prev
        self._set_loaded()

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        await self._read(user_id, clamp_page(self.router.url.query_parameters.get("page")))

    async def _on_live_inbox(self) -> None:
        """Something arrived (or a like was taken back): the open page reads its lines again.
        A new like of a post already listed moves that post's line to the top with its new
        count. Page 1, where new lines arrive, is marked read as when it was opened; a later
        page only shows its lines as they now are (one may have left it for page 1), and what
        is new waits, unread, for page 1."""
        user_id = (await self.get_state(SessionState)).user_id
        if user_id:
            await self._read(user_id, self.page, again=True)


# A block or mute hides the lines of the person concerned at once.
delivery.subscribe(
    SAFETY_CHANGED,
    NotificationsState,
    "_on_live_inbox",
    where=lambda tab: tab.path == routes.NOTIFICATIONS,
)
delivery.subscribe(
    ev.INBOX,
    NotificationsState,
    "_on_live_inbox",
    where=lambda tab: tab.path == routes.NOTIFICATIONS,
)
