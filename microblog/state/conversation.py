"""One conversation (`/messages/<username>`): both sides, the newest at the bottom, older ones
on demand, and the box to write in.

Opening it reads it (services/conversations.py): the badge of every open tab goes down after
the commit. A message sent here shows at once; a message either way, sent from anywhere (the
other person's page, another tab of yours, the API), reaches every open page of this
conversation as a live update, read once for all of them, and is marked read at once where the
recipient has it open.
"""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from microblog import routes
from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.i18n import translate
from microblog.live import events as ev
from microblog.live.tabs import Tab
from microblog.models import MESSAGE_MAX, row_id
from microblog.schemas import MessageRow
from microblog.services import conversations, messages
from microblog.services.errors import DomainError, NotFound
from microblog.state import delivery
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required
from microblog.state.text_input import refused_text


class ConversationState(PageData, rx.State):
    other_name: str = ""  # as found, or as written in the address when not found
    other_avatar: str = ""
    not_found: bool = False
    problem: str = ""  # why there is no conversation to show (writing to oneself)
    messages: list[MessageRow] = []  # oldest first, as shown
    has_earlier: bool = False
    draft: str = ""
    error: str = ""
    _other_id: int = 0

    @rx.var
    def profile_href(self) -> str:
        return routes.user_url(self.other_name)

    @rx.var
    def chars_left(self) -> int:
        return MESSAGE_MAX - len(self.draft)

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        name = routes.conversation_username(self.router.url.path) or ""
        per_page = get_settings().posts_per_page
        previous = self._other_id
        self.not_found, self.problem, self._other_id = False, "", 0
        self.messages, self.has_earlier = [], False
        try:
            view = await run_db(
                lambda db: conversations.read_conversation(
                    db, user_id=user_id, other_username=name, per_page=per_page
                )
            )
        except NotFound:
            self.other_name, self.other_avatar, self.not_found = name, "", True
        except DomainError as refused:
            self.other_name, self.other_avatar = name, ""
            self.problem = translate(refused.message, await language_of(self))
        else:
            self.other_name, self.other_avatar = view.other.username, view.other.avatar_small
            self._other_id = view.other.id
            self.messages = list(reversed(view.messages.items))
            self.has_earlier = view.messages.has_next
        if self._other_id != previous:  # a draft stays with its conversation (a reconnect)
            self.draft, self.error = "", ""
        self._set_loaded()

    @rx.event
    @login_required
    async def load_earlier(self, *, user_id: int) -> None:
        """The page of messages before the oldest one shown, added above it."""
        if not self._other_id or not self.messages:
            return
        other_id, before = self._other_id, self.messages[0].id
        per_page = get_settings().posts_per_page
        earlier = await run_read(
            lambda db: conversations.conversation_messages(
                db, user_id=user_id, other_id=other_id, page=1, per_page=per_page, before_id=before
            )
        )
        self.messages = list(reversed(earlier.items)) + self.messages
        self.has_earlier = earlier.has_next

    @rx.event
    async def set_draft(self, value: str) -> None:
        if problem := await refused_text(self, value):
            self.error = problem
            return
        self.draft = value
        if self.error and len(value.strip()) <= MESSAGE_MAX:
            self.error = ""

    @rx.event
    @login_required
    async def send(self, _form: dict | None = None, *, user_id: int) -> None:
        recipient, body = self.other_name, self.draft

        def send(db: Session) -> MessageRow:
            sent = messages.send_message(
                db, sender_id=user_id, recipient_username=recipient, body=body
            )
            return MessageRow.of_columns(
                row_id(sent),
                sent.body,
                sent.timestamp,
                sent.sender_id,
                sent.recipient_id,
                reader_id=user_id,
            )

        try:
            row = await run_db(send)
        except NotFound:
            self.not_found = True  # the account went away while the page was open
            return
        except DomainError as problem:
            self.error = translate(problem.message, await language_of(self))
            return
        self._show(row)
        self.draft, self.error = "", ""

    def _show(self, row: MessageRow) -> None:
        """Add a message in its place (by id), once: the sender's own page adds it when sent,
        and the live update brings it there again."""
        if any(shown.id == row.id for shown in self.messages):
            return
        if self.messages and row.id < self.messages[-1].id:
            self.messages = sorted([*self.messages, row], key=lambda shown: shown.id)
        else:
            self.messages = [*self.messages, row]

    async def _on_live_message(self, message: MessageRow, tab: Tab) -> None:
        """A message between two people, read once for all their open conversation pages: shown
        here if it belongs to this conversation, and marked read if this reader received it."""
        reader = (await self.get_state(SessionState)).user_id
        other = self._other_id
        if not reader or not other or not self.loaded:
            return
        if {message.sender_id, message.recipient_id} != {reader, other}:
            return
        self._show(message.for_reader(reader))
        if message.recipient_id == reader:
            newest = self.messages[-1].id
            await run_db(
                lambda db: conversations.mark_conversation_read(
                    db, user_id=reader, other_id=other, seen_up_to=newest
                )
            )

    @rx.event
    def open_from_old_address(self) -> rx.event.EventSpec:
        """`/send_message/<name>`, the old "send a message" page: the conversation replaces it,
        and the old address (bookmarks, links in old emails) leads there."""
        name = routes.path_username(self.router.url.path, "/send_message") or ""
        return rx.redirect(routes.conversation_url(name), replace=True)


def _read_message(db: Session, event: ev.LiveEvent, _readers: set[int]) -> MessageRow | None:
    """The message a MESSAGES event announces (none when a conversation was only read)."""
    if not event.ref_id:
        return None
    return conversations.get_message_row(db, message_id=event.ref_id)


delivery.subscribe(
    ev.MESSAGES,
    ConversationState,
    "_on_live_message",
    where=lambda tab: routes.conversation_username(tab.path) is not None,
    read=_read_message,
)
