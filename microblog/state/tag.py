"""A tag's page (`/tag/<name>`): its posts newest first, and the live "N new posts" bar."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from microblog import routes
from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.live import events as ev
from microblog.live.tabs import Tab
from microblog.schemas import Page, PostRow
from microblog.services import new_posts, tags
from microblog.services.pagination import clamp_page
from microblog.state import delivery
from microblog.state.page_data import PageData
from microblog.state.post_cards import PostCardsState, subscribe_cards, subscribe_safety
from microblog.state.session import SessionState


class TagState(PageData, PostCardsState, rx.State):
    tag: str = ""  # as the address spells it (shown in the heading)
    page: int = 1
    has_next: bool = False
    has_prev: bool = False
    new_post_count: int = 0
    _since_id: int = 0

    @rx.var
    def newer_href(self) -> str:
        return routes.page_url(routes.tag_url(self.tag), self.page - 1)

    @rx.var
    def older_href(self) -> str:
        return routes.page_url(routes.tag_url(self.tag), self.page + 1)

    @rx.var
    def new_posts_count_text(self) -> str:
        return "99+" if self.new_post_count > new_posts.COUNT_CAP else str(self.new_post_count)

    @rx.event
    async def load(self) -> None:
        viewer_id = await (await self.get_state(SessionState)).current_user_id() or 0
        await self._read(viewer_id)

    async def _on_safety_changed(self) -> None:
        """A block or mute of the reader's changed: re-read the page for them."""
        await self._read((await self.get_state(SessionState)).user_id or 0)

    async def _reread_page(self) -> None:
        """A post came back (unhidden): the page again (as `_on_safety_changed`)."""
        await self._on_safety_changed()

    async def _read(self, viewer_id: int) -> None:
        name = routes.tag_name(self.router.url.path) or ""
        page = clamp_page(self.router.url.query_parameters.get("page"))
        per_page = get_settings().posts_per_page

        def read(db: Session) -> tuple[int, Page[PostRow]]:
            # The mark first, so a post written meanwhile is counted rather than missed.
            since = new_posts.latest_post_id(db)
            listing = tags.tag_posts(
                db, name=name, viewer_id=viewer_id, page=page, per_page=per_page
            )
            return since, listing

        since, listing = await run_read(read)
        self.tag, self._since_id, self.new_post_count = name, since, 0
        self._list_posts(listing.items)
        self.page, self.has_next, self.has_prev = listing.page, listing.has_next, listing.has_prev
        self._set_loaded()

    @rx.event
    def show_new_posts(self) -> rx.event.EventSpec | rx.event.EventHandler:
        """The bar was clicked: page 1 of this tag, re-read."""
        if self.page == 1:
            return TagState.load
        return rx.redirect(routes.tag_url(self.tag))

    async def _on_new_post(self, new_tags: set[str], _tab: Tab) -> None:
        if tags.normalise_tag(self.tag) not in new_tags:
            return
        name, since = self.tag, self._since_id
        viewer = (await self.get_state(SessionState)).user_id or 0
        self.new_post_count = await run_db(
            lambda db: tags.count_new_tag_posts(db, name=name, since_id=since, viewer_id=viewer)
        )


def _tags_of_new_post(db: Session, event: ev.LiveEvent, _readers: set[int]) -> set[str] | None:
    """The new post's tags, read once for every open tag page (None: untagged, nothing to do)."""
    return tags.tags_of_post(db, post_id=event.ref_id) or None


delivery.subscribe(
    ev.NEW_POST,
    TagState,
    "_on_new_post",
    visitors=True,
    where=lambda tab: routes.tag_name(tab.path) is not None,
    read=_tags_of_new_post,
)
subscribe_cards(TagState, lambda tab: routes.tag_name(tab.path) is not None)
subscribe_safety(TagState, lambda tab: routes.tag_name(tab.path) is not None)
