"""The home feed (own + followed) and explore (everyone), with the "Say something" form."""

from __future__ import annotations

import reflex as rx

from microblog.config import get_settings
from microblog.db import run_db
from microblog.models import POST_MAX
from microblog.routes import EXPLORE, INDEX
from microblog.schemas import Page, PostRow
from microblog.services import posts
from microblog.services.errors import Invalid
from microblog.services.pagination import clamp_page
from microblog.state.session import SessionState


class FeedState(rx.State):
    kind: str = "home"
    posts: list[PostRow] = []
    page: int = 1
    has_next: bool = False
    has_prev: bool = False
    loaded: bool = False
    draft: str = ""
    post_error: str = ""

    @rx.var
    def chars_left(self) -> int:
        return POST_MAX - len(self.draft)

    @rx.var
    def newer_href(self) -> str:
        return f"{self._base()}?page={self.page - 1}"

    @rx.var
    def older_href(self) -> str:
        return f"{self._base()}?page={self.page + 1}"

    def _base(self) -> str:
        return INDEX if self.kind == "home" else EXPLORE

    def _show(self, result: Page[PostRow]) -> None:
        self.posts = result.items
        self.page = result.page
        self.has_next = result.has_next
        self.has_prev = result.has_prev
        self.loaded = True

    def _requested_page(self) -> int:
        return clamp_page(self.router.url.query_parameters.get("page"))

    @rx.event
    async def load_home(self) -> rx.event.EventSpec | None:
        session = await self.get_state(SessionState)
        user_id = await session.current_user_id()
        if user_id is None:
            self.loaded = False
            return session.login_redirect()
        self.kind = "home"
        page, per_page = self._requested_page(), get_settings().posts_per_page
        self._show(
            await run_db(
                lambda db: posts.home_timeline(db, user_id=user_id, page=page, per_page=per_page)
            )
        )
        return None

    @rx.event
    async def load_explore(self) -> None:
        await (await self.get_state(SessionState)).current_user_id()
        self.kind = "explore"
        page, per_page = self._requested_page(), get_settings().posts_per_page
        self._show(await run_db(lambda db: posts.explore_posts(db, page=page, per_page=per_page)))

    @rx.event
    def set_draft(self, value: str) -> None:
        self.draft = value
        if self.post_error and len(value.strip()) <= POST_MAX:
            self.post_error = ""

    @rx.event
    async def submit_post(self, _form: dict | None = None) -> rx.event.EventSpec | None:
        session = await self.get_state(SessionState)
        user_id = await session.current_user_id()
        if user_id is None:
            return session.login_redirect()
        body = self.draft
        try:
            await run_db(lambda db: posts.create_post(db, author_id=user_id, body=body))
        except Invalid as problem:
            self.post_error = problem.message
            return None
        self.draft = ""
        self.post_error = ""
        if self.page != 1:
            return rx.redirect(INDEX)
        return FeedState.load_home
