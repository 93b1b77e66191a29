"""The home feed (own + followed) and explore (everyone), with the "Say something" form; the
cards' actions and live re-reads come from `PostCardsState`."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.i18n import translate
from microblog.live import events as ev
from microblog.routes import EXPLORE, INDEX, page_url
from microblog.services import new_posts, posts
from microblog.services.errors import Invalid
from microblog.services.feeds import Feed, OpenedFeed, open_feed
from microblog.services.pagination import clamp_page
from microblog.services.rich_text import post_length
from microblog.state import delivery
from microblog.state.compose_media import ComposeMediaState
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.post_cards import PostCardsState, subscribe_cards, subscribe_safety
from microblog.state.session import SessionState, login_required
from microblog.state.text_input import refused_text


class FeedState(PageData, PostCardsState, rx.State):
    kind: str = "home"
    page: int = 1
    has_next: bool = False
    has_prev: bool = False
    draft: str = ""
    post_error: str = ""
    # The "N new posts" bar: posts that arrived since this feed was read (ids above _since_id).
    new_post_count: int = 0
    _since_id: int = 0

    @rx.var
    def chars_left(self) -> int:
        """What is left of `POST_MAX_LENGTH`, counted as the server counts (links are 23)."""
        return get_settings().post_max_length - post_length(self.draft)

    @rx.var
    def newer_href(self) -> str:
        return page_url(self._base(), self.page - 1)

    @rx.var
    def older_href(self) -> str:
        return page_url(self._base(), self.page + 1)

    def _base(self) -> str:
        return INDEX if self.kind == "home" else EXPLORE

    @rx.var
    def new_posts_count_text(self) -> str:
        """The count for the bar's translated "Show N new posts" (capped at 99+)."""
        return "99+" if self.new_post_count > new_posts.COUNT_CAP else str(self.new_post_count)

    def _show(self, opened: OpenedFeed) -> None:
        result = opened.posts
        self._since_id = opened.since_id
        self.new_post_count = 0
        self._list_posts(result.items)
        self.page = result.page
        self.has_next = result.has_next
        self.has_prev = result.has_prev
        self._set_loaded()

    def _requested_page(self) -> int:
        return clamp_page(self.router.url.query_parameters.get("page"))

    @rx.event
    @login_required(page_load=True)
    async def load_home(self, *, user_id: int) -> None:
        # The compose box's pictures: a fresh upload ticket (state/upload_ticket.py).
        (await self.get_state(ComposeMediaState)).issue_ticket()
        await self._open("home", user_id)

    @rx.event
    async def load_explore(self) -> None:
        user_id = await (await self.get_state(SessionState)).current_user_id()
        await self._open("explore", user_id or 0)

    async def _open(self, feed: Feed, reader_id: int) -> None:
        self.kind = feed
        page, per_page = self._requested_page(), get_settings().posts_per_page
        self._show(
            await run_read(
                lambda db: open_feed(
                    db, feed=feed, reader_id=reader_id, page=page, per_page=per_page
                )
            )
        )

    @rx.event
    async def set_draft(self, value: str) -> None:
        if problem := await refused_text(self, value):
            self.post_error = problem
            return
        self.draft = value
        if self.post_error and post_length(value.strip()) <= get_settings().post_max_length:
            self.post_error = ""

    @rx.event
    @login_required
    async def submit_post(
        self, _form: dict | None = None, *, user_id: int
    ) -> rx.event.EventSpec | rx.event.EventHandler | None:
        body = self.draft
        pictures = await self.get_state(ComposeMediaState)
        media_ids, alt_texts = pictures.chosen()
        try:
            await run_db(
                lambda db: posts.create_post(
                    db, author_id=user_id, body=body, media_ids=media_ids, alt_texts=alt_texts
                )
            )
        except Invalid as problem:
            # The text and the pictures stay in the box, with the reason.
            self.post_error = translate(problem.message, await language_of(self))
            return None
        self.draft = ""
        self.post_error = ""
        pictures.clear()
        if self.page != 1:
            return rx.redirect(INDEX)
        return FeedState.load_home

    async def _recount_new_posts(self) -> None:
        """A post was published that may belong in this feed: re-count what is new for this
        tab's own user (the event only said who posted)."""
        user_id = (await self.get_state(SessionState)).user_id
        since = self._since_id
        if self.kind == "home" and user_id:
            count = await run_db(
                lambda db: new_posts.count_new_home_posts(db, user_id=user_id, since_id=since)
            )
        elif self.kind == "explore":
            count = await run_db(
                lambda db: new_posts.count_new_explore_posts(
                    db, since_id=since, viewer_id=user_id or 0
                )
            )
        else:
            return
        self.new_post_count = count

    async def _reread_page(self) -> None:
        """A post came back (unhidden): this feed's page again, for its reader or a visitor."""
        user_id = (await self.get_state(SessionState)).user_id or 0
        if self.kind != "home":
            await self._open("explore", user_id)
        elif user_id:
            await self._open("home", user_id)

    async def _on_safety_changed(self) -> None:
        """The reader blocked or muted someone, or was blocked: re-read this page for them."""
        user_id = (await self.get_state(SessionState)).user_id
        if user_id:
            await self._open("home" if self.kind == "home" else "explore", user_id)

    @rx.event
    def show_new_posts(self) -> rx.event.EventSpec | rx.event.EventHandler:
        """The bar was clicked: page 1 of this feed, re-read (its on_load resets the count)."""
        if self.page == 1:
            return FeedState.load_home if self.kind == "home" else FeedState.load_explore
        return rx.redirect(self._base())


def _home_readers(db: Session, event: ev.LiveEvent, readers: set[int]) -> set[int]:
    """Which of the readers with a home feed open have the new post's author in it: one query
    on the follow index, however many tabs are open."""
    return new_posts.readers_of_author(db, author_id=event.author_id, candidates=readers)


# A new post: every open Explore counts it, and the home feeds it belongs in.
delivery.subscribe(
    ev.NEW_POST,
    FeedState,
    "_recount_new_posts",
    visitors=True,
    where=lambda tab: tab.path == EXPLORE,
)
delivery.subscribe(
    ev.NEW_POST,
    FeedState,
    "_recount_new_posts",
    where=lambda tab: tab.path == INDEX,
    audience=_home_readers,
)
# A post shown here changed (counters, text, deleted): every open home or explore re-reads it.
subscribe_cards(FeedState, lambda tab: tab.path in (INDEX, EXPLORE))
subscribe_safety(FeedState, lambda tab: tab.path in (INDEX, EXPLORE))
