"""The search page (`/search?q=…&page=N`) and the navbar's search box.

Thin: read q and page from the URL, call the search service in a worker thread, keep one page
of trimmed rows. The query lives in the URL, so results can be shared and the back button works.
"""

from __future__ import annotations

import reflex as rx

from microblog.config import get_settings
from microblog.db import run_read
from microblog.i18n import translate
from microblog.routes import search_url
from microblog.services import search
from microblog.services.pagination import clamp_page
from microblog.services.search import SearchPostRow, SearchUnavailable, UserHit
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState


class SearchState(PageData, rx.State):
    query: str = ""
    posts: list[SearchPostRow] = []
    users: list[UserHit] = []
    page: int = 1
    has_next: bool = False
    has_prev: bool = False
    total: int = 0
    total_capped: bool = False
    error: str = ""

    @rx.var
    def count_text(self) -> str:
        """The number of matches as shown ("1,234", "10,000+" when capped); the sentence around
        it is translated in the browser (pages/search.py)."""
        return search.count_text(self.total, self.total_capped)

    @rx.var
    def found(self) -> str:
        """What the query found, which picks the wording above the results: "both", "people",
        "posts" or "none". The post count says nothing about the people box (a search for "sus"
        said "0 results" above susan), so each case has its own sentence (pages/search.py)."""
        people, posts = bool(self.users), self.total > 0 or bool(self.posts)
        if people and posts:
            return "both"
        return "people" if people else "posts" if posts else "none"

    @rx.var
    def newer_href(self) -> str:
        return search_url(self.query, self.page - 1)

    @rx.var
    def older_href(self) -> str:
        return search_url(self.query, self.page + 1)

    @rx.event
    async def load(self) -> None:
        """on_load: read `q` and `page` from the URL and show that page of results."""
        viewer = await (await self.get_state(SessionState)).current_user_id() or 0
        params = self.router.url.query_parameters
        query = search.clean_query(params.get("q"))
        page, per_page = clamp_page(params.get("page")), get_settings().posts_per_page
        self.query, self.page, self.error = query, page, ""
        self.posts, self.users, self.total, self.total_capped = [], [], 0, False
        self.has_next, self.has_prev = False, page > 1
        if query:
            # People come from the database, so they show even when the engine is down.
            self.users = await run_read(
                lambda db: search.search_users(db, q=query, viewer_id=viewer)
            )

            try:
                results = await run_read(
                    lambda db: search.search_posts(
                        db, q=query, page=page, per_page=per_page, viewer_id=viewer
                    )
                )
            except SearchUnavailable as problem:
                self.error = translate(problem.message, await language_of(self))
            else:
                self.posts = results.posts
                self.has_next, self.total = results.has_next, results.total
                self.total_capped = results.total_capped
        self._set_loaded()

    @rx.event
    def submit(self, form: dict) -> rx.event.EventSpec | None:
        """The navbar box: go to the results page (an empty box does nothing)."""
        query = search.clean_query(str(form.get("q", "")))
        return rx.redirect(search_url(query)) if query else None
