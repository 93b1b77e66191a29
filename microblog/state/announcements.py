"""The admins' form for a site-wide announcement. The banner itself lives in LiveState, so it
shows on every page."""

from __future__ import annotations

import reflex as rx

from microblog.db import run_db
from microblog.i18n import _l, translate
from microblog.models import ANNOUNCEMENT_MAX
from microblog.services import announcements, users
from microblog.services.errors import DomainError
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import login_required
from microblog.state.text_input import refused_text


class AnnouncementsState(PageData, rx.State):
    is_admin: bool = False
    draft: str = ""
    error: str = ""

    @rx.var
    def chars_left(self) -> int:
        return ANNOUNCEMENT_MAX - len(self.draft)

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        self.is_admin = await run_db(lambda db: announcements.is_admin(users.get_user(db, user_id)))
        self.error = ""
        self._set_loaded()

    @rx.event
    async def set_draft(self, value: str) -> None:
        if problem := await refused_text(self, value):
            self.error = problem
            return
        self.draft = value
        if self.error and len(value.strip()) <= ANNOUNCEMENT_MAX:
            self.error = ""

    @rx.event
    @login_required
    async def publish(
        self, _form: dict | None = None, *, user_id: int
    ) -> rx.event.EventSpec | None:
        body = self.draft
        try:
            await run_db(
                lambda db: announcements.post_announcement(db, author_id=user_id, body=body)
            )
        except DomainError as problem:  # Invalid, or Forbidden: not (or no longer) an admin
            self.error = translate(problem.message, await language_of(self))
            return None
        self.draft, self.error = "", ""
        return rx.toast.success(translate(_l("Announcement published."), await language_of(self)))
