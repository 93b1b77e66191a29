"""The Notifications page: new followers, messages and announcements, newest first. Opening it
marks them read, which clears the badge on every open tab of the user."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.config import get_settings
from microblog.db import run_db
from microblog.i18n import translate
from microblog.live import events as ev
from microblog.schemas import NotificationRow
from microblog.services import notifications
from microblog.services.pagination import clamp_page
from microblog.state import delivery
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required


class NotificationsState(PageData, rx.State):
    notifications: list[NotificationRow] = []
    page: int = 1
    has_next: bool = False
    has_prev: bool = False

    @rx.var
    def newer_href(self) -> str:
        return f"/notifications?page={self.page - 1}"

    @rx.var
    def older_href(self) -> str:
        return f"/notifications?page={self.page + 1}"

    async def _read(self, user_id: int, page: int) -> None:
        per_page = get_settings().posts_per_page

        listing = await run_db(
            lambda db: notifications.read_notifications(
                db, user_id=user_id, page=page, per_page=per_page
            )
        )
        lang = await language_of(self)
        for row in listing.items:  # "susan started following you." in the reader's language
            row.text = translate(row.text, lang)
        self.notifications = listing.items
        self.page, self.has_next, self.has_prev = listing.page, listing.has_next, listing.has_prev
        self._set_loaded()

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        await self._read(user_id, clamp_page(self.router.url.query_parameters.get("page")))

    async def _on_live_inbox(self) -> None:
        user_id = (await self.get_state(SessionState)).user_id
        if user_id and self.page == 1:
            await self._read(user_id, 1)


delivery.subscribe(
    ev.INBOX,
    NotificationsState,
    "_on_live_inbox",
    where=lambda tab: tab.path == routes.NOTIFICATIONS,
)
