"""The Messages page: your conversations, the most recent first, each with the other person,
the newest message and how many of theirs you have not read.

Listing reads nothing (services/conversations.py says when a message is read). While the page
is open, a message sent or received, or a conversation read in another tab, re-reads the list
(page 1 only), so the conversation moves to the top with its unread count.
"""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.live import events as ev
from microblog.schemas import ConversationRow
from microblog.services import conversations
from microblog.services.pagination import clamp_page
from microblog.state import delivery
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required


class MessagesState(PageData, rx.State):
    conversations: list[ConversationRow] = []
    page: int = 1
    has_next: bool = False
    has_prev: bool = False

    @rx.var
    def newer_href(self) -> str:
        return routes.page_url(routes.MESSAGES, self.page - 1)

    @rx.var
    def older_href(self) -> str:
        return routes.page_url(routes.MESSAGES, self.page + 1)

    async def _read(self, user_id: int, page: int) -> None:
        per_page = get_settings().posts_per_page
        listing = await run_read(
            lambda db: conversations.list_conversations(
                db, user_id=user_id, page=page, per_page=per_page
            )
        )
        self.conversations = listing.items
        self.page, self.has_next, self.has_prev = listing.page, listing.has_next, listing.has_prev
        self._set_loaded()

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        await self._read(user_id, clamp_page(self.router.url.query_parameters.get("page")))

    @rx.event
    @login_required
    async def mark_all_read(self, *, user_id: int) -> None:
        """Every conversation read at once; the badge of every open tab clears after the
        commit."""
        await run_db(lambda db: conversations.mark_all_read(db, user_id=user_id))
        await self._read(user_id, self.page)

    async def _on_live_messages(self) -> None:
        """A conversation changed (a message either way, or read elsewhere): re-read page 1."""
        user_id = (await self.get_state(SessionState)).user_id
        if user_id and self.page == 1 and self.loaded:
            await self._read(user_id, 1)


delivery.subscribe(
    ev.MESSAGES, MessagesState, "_on_live_messages", where=lambda tab: tab.path == routes.MESSAGES
)
