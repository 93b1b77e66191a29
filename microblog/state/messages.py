"""Private messages: the Messages page (received, newest first) and the send-message form.

Opening the Messages page marks everything read, which clears the navbar badge on every open tab
of the user (the service publishes an inbox event after the commit). A message that arrives while
the page is open is shown at once and marked read as well.
"""

from __future__ import annotations

from urllib.parse import unquote

import reflex as rx

from microblog import routes
from microblog.config import get_settings
from microblog.db import run_db
from microblog.i18n import _l, translate
from microblog.live import events as ev
from microblog.models import MESSAGE_MAX
from microblog.routes import user_url
from microblog.schemas import MessageRow
from microblog.services import messages, users
from microblog.services.errors import DomainError, Invalid, NotFound
from microblog.services.pagination import clamp_page
from microblog.state import delivery
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required
from microblog.state.text_input import refused_text


class MessagesState(PageData, rx.State):
    messages: list[MessageRow] = []
    page: int = 1
    has_next: bool = False
    has_prev: bool = False

    @rx.var
    def newer_href(self) -> str:
        return f"/messages?page={self.page - 1}"

    @rx.var
    def older_href(self) -> str:
        return f"/messages?page={self.page + 1}"

    async def _read(self, user_id: int, page: int) -> None:
        per_page = get_settings().posts_per_page

        listing = await run_db(
            lambda db: messages.read_messages(db, user_id=user_id, page=page, per_page=per_page)
        )
        self.messages = listing.items
        self.page, self.has_next, self.has_prev = listing.page, listing.has_next, listing.has_prev
        self._set_loaded()

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        await self._read(user_id, clamp_page(self.router.url.query_parameters.get("page")))

    async def _on_live_inbox(self) -> None:
        """A message arrived while this page is open: show it (page 1 only) and mark it read."""
        user_id = (await self.get_state(SessionState)).user_id
        if user_id and self.page == 1:
            await self._read(user_id, 1)


class SendMessageState(PageData, rx.State):
    recipient: str = ""
    recipient_found: bool = True
    draft: str = ""
    error: str = ""
    sent_to: str = ""

    @rx.var
    def chars_left(self) -> int:
        return MESSAGE_MAX - len(self.draft)

    @rx.var
    def recipient_href(self) -> str:
        return user_url(self.recipient)

    def _recipient_from_path(self) -> str:
        parts = [p for p in self.router.url.path.split("/") if p]
        return unquote(parts[1]) if len(parts) >= 2 else ""

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        name = self._recipient_from_path()
        user = await run_db(lambda db: users.find_user_by_username(db, name))
        self.recipient = user.username if user else name
        self.recipient_found = user is not None
        self.draft, self.error, self.sent_to = "", "", ""
        self._set_loaded()

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
    async def send(self, _form: dict | None = None, *, user_id: int) -> rx.event.EventSpec | None:
        recipient, body = self.recipient, self.draft
        try:
            await run_db(
                lambda db: messages.send_message(
                    db, sender_id=user_id, recipient_username=recipient, body=body
                )
            )
        except Invalid as problem:
            self.error = translate(problem.message, await language_of(self))
            return None
        except NotFound:
            self.recipient_found = False
            return None
        except DomainError as problem:
            self.error = translate(problem.message, await language_of(self))
            return None
        self.draft, self.error, self.sent_to = "", "", recipient
        sent = _l("Your message to %(username)s has been sent.", username=recipient)
        return rx.toast.success(translate(sent, await language_of(self)))


delivery.subscribe(
    ev.INBOX, MessagesState, "_on_live_inbox", where=lambda tab: tab.path == routes.MESSAGES
)
