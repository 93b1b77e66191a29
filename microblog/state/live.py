"""The live layer of every page: unread badges, the announcement banner, and what each page load
settles last (`LiveState.connect`).

Each page's on_load ends with `LiveState.connect`, which records "this tab belongs to user U and
shows path P" in this worker's `TABS`, so that live events reach it (state/delivery.py). The
page's own handler has just re-checked the session, so `connect` reuses it. A websocket
reconnect re-runs on_load (Reflex re-hydrates), so a tab that comes back, on this or another
worker, is registered again and re-reads the truth from the database: nothing depends on having
received every event.

Other features take part in `connect` by registering with `on_connect` from their own module
(the reader's language, the export bar), so this module imports no feature state.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from microblog.db import run_db, run_read
from microblog.live import events as ev
from microblog.live.tabs import TABS, Tab
from microblog.schemas import AnnouncementRow
from microblog.services import announcements, notifications
from microblog.services.live_view import LiveView, read_live_view
from microblog.services.safety import SAFETY_CHANGED
from microblog.state import delivery
from microblog.state.session import SessionState


@dataclass(frozen=True)
class _ConnectPart:
    state: type[rx.State]
    method: str
    read: Callable[[Session, int], object] | None


_CONNECT_PARTS: list[_ConnectPart] = []


def on_connect(
    state: type[rx.State], method: str, *, read: Callable[[Session, int], object] | None = None
) -> None:
    """Make `state.<method>` part of every page load (`LiveState.connect`).

    Without `read`, it runs on every page load, before the tab is registered (the reader's
    language). With `read`, `read(db, user_id)` joins the one read-only unit of work that
    `connect` makes once per connection and reader (badges, banner), and `state.<method>`
    receives what it read (the export bar)."""
    if not method.startswith("_") or not callable(getattr(state, method, None)):
        raise ValueError(f"{state.__name__}.{method} is not a private method")
    part = _ConnectPart(state, method, read)
    if part not in _CONNECT_PARTS:
        _CONNECT_PARTS.append(part)


async def _apply(state: rx.State, method: str, *args: object) -> None:
    result = getattr(state, method)(*args)
    if inspect.isawaitable(result):
        await result


# (the announcement, each reader's dismissal marker, each reader's unread notification count)
_Announced = tuple[AnnouncementRow, dict[int, int], dict[int, int]]


def badge(count: int) -> str:
    return "" if count <= 0 else ("99+" if count > notifications.UNREAD_CAP else str(count))


class LiveState(rx.State):
    unread_messages: int = 0
    unread_notifications: int = 0
    announcement: AnnouncementRow | None = None
    is_admin: bool = False
    is_moderator: bool = False
    # A visitor (not signed in) dismisses for this tab only.
    _visitor_dismissed_id: int = 0
    # The websocket connection and user whose badges, banner and export bar this tab shows.
    _read_for: str = ""

    @rx.var
    def messages_badge(self) -> str:
        return badge(self.unread_messages)

    @rx.var
    def notifications_badge(self) -> str:
        return badge(self.unread_notifications)

    async def _user_id(self) -> int:
        return (await self.get_state(SessionState)).user_id

    @rx.event
    async def connect(self) -> None:
        """Last on_load of every page: settle the tab's language, register the tab here and read
        badges, banner and export bar. One handler, because each on_load handler costs the tab a
        round trip (the browser sends them one after another).

        The read happens once per connection and user. While the websocket stays open, the tab
        is registered and every change reaches it as a live update (`deliver`), so a click to
        another page has nothing new to read; that read was the largest database cost of a
        page view. A new connection (a new tab, a reload, a reconnect after a drop or a server
        restart) or another user reads again."""
        for part in _CONNECT_PARTS:
            if part.read is None:
                await _apply(await self.get_state(part.state), part.method)
        session = await self.get_state(SessionState)
        user_id = session.user_id
        TABS.register(
            self.router.session.client_token,
            user_id=user_id,
            path=self.router.url.path,
            session_key=session.session_key if user_id else "",
        )
        reader = f"{self.router.session.session_id}:{user_id}"
        if reader == self._read_for:
            return
        # Badges, banner and the other features' parts (the export bar) in one read-only unit.
        parts = [part for part in _CONNECT_PARTS if part.read is not None]

        def read(db: Session) -> tuple[LiveView, list[object]]:
            own = read_live_view(db, user_id=user_id)
            return own, [part.read(db, user_id) for part in parts if part.read is not None]

        view, values = await run_read(read)
        self._show(view, user_id)
        for part, value in zip(parts, values, strict=True):
            await _apply(await self.get_state(part.state), part.method, value)
        self._read_for = reader

    async def _reload(self) -> None:
        """Re-read badges and banner from the database for this tab's own user."""
        user_id = await self._user_id()
        self._show(await run_read(lambda db: read_live_view(db, user_id=user_id)), user_id)

    def _show(self, view: LiveView, user_id: int) -> None:
        current = view.announcement
        if current is not None and not user_id and current.id <= self._visitor_dismissed_id:
            current = None
        self.is_admin = view.is_admin
        self.is_moderator = view.is_moderator
        self.unread_messages = view.unread_messages
        self.unread_notifications = view.unread_notifications
        self.announcement = current

    async def _on_live_announcement(self, found: _Announced, tab: Tab) -> None:
        """A new announcement, read once for all tabs (`_read_announcement`)."""
        row, dismissed, unread = found
        self._show_announcement(
            row,
            dismissed_up_to=dismissed.get(tab.user_id, 0),
            unread_notifications=unread.get(tab.user_id, 0) if tab.user_id else None,
        )

    def _show_announcement(
        self,
        row: AnnouncementRow,
        *,
        dismissed_up_to: int,
        unread_notifications: int | None,
    ) -> None:
        if unread_notifications is not None:
            self.unread_notifications = unread_notifications
        if row.id <= max(dismissed_up_to, self._visitor_dismissed_id):
            return
        if self.announcement is None or row.id >= self.announcement.id:
            self.announcement = row

    @rx.event
    async def dismiss_announcement(self) -> None:
        if self.announcement is None:
            return
        announcement_id = self.announcement.id
        user_id = await (await self.get_state(SessionState)).current_user_id()
        if user_id:
            await run_db(
                lambda db: announcements.dismiss_announcement(
                    db, user_id=user_id, announcement_id=announcement_id
                )
            )
        else:
            self._visitor_dismissed_id = announcement_id
        self.announcement = None


def _read_announcement(db: Session, event: ev.LiveEvent, readers: set[int]) -> _Announced | None:
    """Every tab shows the new banner: read it and every signed-in reader's marker and unread
    count in one go, so that each tab is only set, with no database work per tab."""
    row, dismissed, unread = announcements.announcement_for_readers(
        db, announcement_id=event.ref_id, user_ids=readers
    )
    return (row, dismissed, unread) if row is not None else None


delivery.subscribe(ev.INBOX, LiveState, "_reload")
# A block or mute may hide unread notifications: the badge is counted again.
delivery.subscribe(SAFETY_CHANGED, LiveState, "_reload")
delivery.subscribe(
    ev.ANNOUNCEMENT, LiveState, "_on_live_announcement", visitors=True, read=_read_announcement
)
