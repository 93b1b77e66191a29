"""The thread page (`/post/<id>`): the posts a post answers, the post, a reply box and a page of
its replies; a reply written anywhere appears on every open thread page that shows its parent."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from microblog import routes
from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.i18n import translate
from microblog.live import events as ev
from microblog.live.tabs import Tab
from microblog.schemas import PostRow
from microblog.services import posts, safety
from microblog.services.errors import Invalid, NotFound
from microblog.services.pagination import clamp_page
from microblog.services.rich_text import post_length
from microblog.services.threads import Thread, open_thread
from microblog.state import delivery
from microblog.state.compose_media import ReplyMediaState
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.post_cards import (
    PostCardsState,
    subscribe_faces,
    subscribe_safety,
    subscribe_suspensions,
)
from microblog.state.session import SessionState, login_required
from microblog.state.text_input import refused_text

_NO_POST = PostRow(
    id=0, body="", timestamp="", language="", author_id=0, author_username="", author_avatar=""
)


class ThreadState(PageData, PostCardsState, rx.State):
    """`posts` (PostCardsState's, whose Like, Boost, Edit and Delete change it in place) holds
    the whole conversation in page order: the ancestors, the post, then the page of replies."""

    post: PostRow = _NO_POST
    ancestor_count: int = 0
    earlier_deleted: bool = False
    not_found: bool = False
    page: int = 1
    has_next: bool = False
    has_prev: bool = False
    draft: str = ""
    reply_error: str = ""
    # The reply box is open: the reader asked for it, or it holds their reply (text or pictures).
    reply_open: bool = False
    # Whether the reader muted this conversation: its cards' menus offer the other choice.
    conversation_muted: bool = False
    # The post ids this tab shows: a POST_CHANGED about any of them re-reads the thread.
    _shown: set[int] = set()

    @rx.var
    def ancestors(self) -> list[PostRow]:
        return self.posts[: self.ancestor_count]

    @rx.var
    def focus(self) -> list[PostRow]:
        """The post, as a list of one: a card is drawn from a row of a list (rx.foreach), as
        every feed draws its cards."""
        return self.posts[self.ancestor_count : self.ancestor_count + 1]

    @rx.var
    def replies(self) -> list[PostRow]:
        return self.posts[self.ancestor_count + 1 :]

    @rx.var
    def chars_left(self) -> int:
        """What is left of `POST_MAX_LENGTH`, counted as the server counts."""
        return get_settings().post_max_length - post_length(self.draft)

    @rx.var
    def newer_href(self) -> str:
        return routes.page_url(routes.post_url(self.post.id), self.page - 1)

    @rx.var
    def older_href(self) -> str:
        return routes.page_url(routes.post_url(self.post.id), self.page + 1)

    def _asked_post_id(self) -> int:
        return routes.thread_post_id(self.router.url.path) or 0

    @rx.event
    async def load(self) -> None:
        viewer_id = await (await self.get_state(SessionState)).current_user_id()
        pictures = await self.get_state(ReplyMediaState)
        if self._asked_post_id() != self.post.id:
            # Another conversation: the reply written for the last one goes, pictures too.
            self.draft, self.reply_error = "", ""
            await pictures._give_up(viewer_id or 0)
        # Closed on each load, as the server draws it, unless a reply is under way: what the
        # reader wrote stays in view.
        self.reply_open = bool(self.draft.strip() or pictures.pictures)
        pictures.issue_ticket()  # the reply box's uploads (state/upload_ticket.py)
        page = clamp_page(self.router.url.query_parameters.get("page"))
        await self._read(self._asked_post_id(), viewer_id or 0, page)

    async def _read(self, post_id: int, viewer_id: int, page: int) -> None:
        per_page = get_settings().posts_per_page

        def read(db: Session) -> tuple[Thread, bool]:
            thread = open_thread(
                db, post_id=post_id, viewer_id=viewer_id, page=page, per_page=per_page
            )
            muted = bool(viewer_id) and safety.conversation_muted(
                db, user_id=viewer_id, post_id=post_id
            )
            return thread, muted

        try:
            thread, muted = await run_read(read)
        except NotFound:
            self._show_nothing()
            return
        self.conversation_muted = muted
        self._show(thread)

    def _show_nothing(self) -> None:
        self.not_found, self.post, self.ancestor_count = True, _NO_POST, 0
        self._list_posts([])
        self.has_next = self.has_prev = self.earlier_deleted = False
        self._shown = set()
        self._set_loaded()

    def _show(self, thread: Thread) -> None:
        self.not_found = False
        self.post, self.ancestor_count = thread.post, len(thread.ancestors)
        self._list_posts([*thread.ancestors, thread.post, *thread.replies.items])
        self.page = thread.replies.page
        self.has_next, self.has_prev = thread.replies.has_next, thread.replies.has_prev
        self.earlier_deleted = thread.earlier_deleted
        self._shown = {p.id for p in self.posts}
        self._set_loaded()

    @rx.event
    def open_reply(self) -> None:
        self.reply_open = True

    @rx.event
    async def set_draft(self, value: str) -> None:
        if problem := await refused_text(self, value):
            self.reply_error = problem
            return
        self.draft = value
        if self.reply_error and post_length(value.strip()) <= get_settings().post_max_length:
            self.reply_error = ""

    @rx.event
    @login_required
    async def submit_reply(self, _form: dict | None = None, *, user_id: int) -> None:
        """The reply, with the reply box's pictures (a reply may be pictures alone); on a
        refusal the text and the pictures stay, with the reason."""
        body, parent = self.draft, self.post.id
        pictures = await self.get_state(ReplyMediaState)
        media_ids, alt_texts = pictures.chosen()
        try:
            await run_db(
                lambda db: posts.create_post(
                    db,
                    author_id=user_id,
                    body=body,
                    reply_to_id=parent,
                    media_ids=media_ids,
                    alt_texts=alt_texts,
                )
            )
        except (Invalid, NotFound) as problem:
            self.reply_error = translate(problem.message, await language_of(self))
            return
        self.draft, self.reply_error = "", ""
        pictures.clear()
        await self._read(parent, user_id, self.page)

    async def _on_safety_changed(self) -> None:
        """A block or mute of the reader's changed: re-read the conversation for them."""
        if self.post.id:
            user_id = (await self.get_state(SessionState)).user_id
            await self._read(self.post.id, user_id or 0, self.page)

    async def _on_thread_changed(self, changed: int, _tab: Tab) -> None:
        """A post changed, was replied to or was deleted: re-read if this tab shows it (the
        parent of a new reply is among them, so the reply appears; so is the parent of a reply
        a moderator unhid), or if it is the post this tab asked for and could not show (hidden,
        and now back)."""
        asked = self._asked_post_id()
        if (changed in self._shown and self.post.id) or (self.not_found and changed == asked):
            user_id = (await self.get_state(SessionState)).user_id
            await self._read(self.post.id or asked, user_id or 0, self.page)

    async def _on_account_suspended(self, event: ev.LiveEvent) -> None:
        """A moderator suspended an author shown here: the conversation again, without them."""
        if any(row.author_id == event.author_id for row in self.posts):
            user_id = (await self.get_state(SessionState)).user_id
            await self._read(self.post.id or self._asked_post_id(), user_id or 0, self.page)


def _changed_post(_db: Session, event: ev.LiveEvent, _readers: set[int]) -> int:
    """What every thread tab is told: which post changed (no query; each tab knows what it
    shows)."""
    return event.ref_id


delivery.subscribe(
    ev.POST_CHANGED,
    ThreadState,
    "_on_thread_changed",
    visitors=True,
    where=lambda tab: routes.thread_post_id(tab.path) is not None,
    read=_changed_post,
)
subscribe_faces(ThreadState, lambda tab: routes.thread_post_id(tab.path) is not None)
subscribe_suspensions(ThreadState, lambda tab: routes.thread_post_id(tab.path) is not None)
subscribe_safety(ThreadState, lambda tab: routes.thread_post_id(tab.path) is not None)
