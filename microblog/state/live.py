"""The live layer of every page: unread badges, the announcement banner, and the delivery of live
events to the open tabs of this backend worker.

Each page's on_load ends with `LiveState.connect`, which records "this tab belongs to user U and
shows path P" in this worker's `TABS`. The page's own handler has just re-checked the session, so
`connect` reuses it. A websocket reconnect re-runs on_load (Reflex re-hydrates), so a tab that
comes back, on this or another worker, is registered again and re-reads the truth from the
database: nothing depends on having received every event.

Events carry ids only. Delivering one means: find the local tabs it concerns, open each tab's
state with `app.modify_state`, and let that state re-read what it shows for its own user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from microblog import routes
from microblog.db import run_db, run_read
from microblog.jobs import background_tasks
from microblog.live import events as ev
from microblog.live.hub import get_hub
from microblog.live.tabs import TABS, Tab
from microblog.schemas import AnnouncementRow
from microblog.services import (
    announcements,
    auth_sessions,
    exports,
    messages,
    new_posts,
    notifications,
    users,
)
from microblog.services.exports import TaskView
from microblog.state.session import SessionState, empty_tab

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveView:
    """What the live layer of a page shows for one tab's user."""

    unread_messages: int = 0
    unread_notifications: int = 0
    announcement: AnnouncementRow | None = None
    is_admin: bool = False
    export: TaskView | None = None


def _read_live_view(db: Session, user_id: int, *, with_export: bool = False) -> LiveView:
    """The banner for everyone; badges, admin flag and (on page loads) the current export for a
    signed-in user. Reads only, so it runs as one read-only unit of work."""
    current = announcements.current_announcement(db, user_id=user_id or None)
    if not user_id:
        return LiveView(announcement=current)
    user = users.get_user(db, user_id)
    return LiveView(
        unread_messages=messages.unread_message_count(
            db, user_id=user_id, read_up_to=user.last_message_read_id
        ),
        unread_notifications=notifications.unread_count(
            db, user_id=user_id, read_up_to=user.last_notification_read_id
        ),
        announcement=current,
        is_admin=announcements.is_admin(user),
        export=exports.current_export(db, user_id=user_id) if with_export else None,
    )


def badge(count: int) -> str:
    return "" if count <= 0 else ("99+" if count > notifications.UNREAD_CAP else str(count))


class LiveState(rx.State):
    unread_messages: int = 0
    unread_notifications: int = 0
    announcement: AnnouncementRow | None = None
    is_admin: bool = False
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
        from microblog.state.export import ExportState
        from microblog.state.locale import LocaleState

        await (await self.get_state(LocaleState))._sync()
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
        # Badges, banner and the export bar (it is on every page) in one read-only unit.
        view = await run_read(lambda db: _read_live_view(db, user_id, with_export=True))
        self._show(view, user_id)
        (await self.get_state(ExportState))._show(view.export)
        self._read_for = reader

    async def _reload(self) -> None:
        """Re-read badges and banner from the database for this tab's own user."""
        user_id = await self._user_id()
        self._show(await run_read(lambda db: _read_live_view(db, user_id)), user_id)

    def _show(self, view: LiveView, user_id: int) -> None:
        current = view.announcement
        if current is not None and not user_id and current.id <= self._visitor_dismissed_id:
            current = None
        self.is_admin = view.is_admin
        self.unread_messages = view.unread_messages
        self.unread_notifications = view.unread_notifications
        self.announcement = current

    def _show_announcement(
        self,
        row: AnnouncementRow,
        *,
        dismissed_up_to: int,
        unread_notifications: int | None,
    ) -> None:
        """A new announcement, read once for all tabs by the delivery."""
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


# -- delivery ---------------------------------------------------------------------------------

# The name of the state's method to call. Underscore methods are not event handlers, so the
# browser cannot trigger them; the delivery calls them on the tab's own state.
Refresher = str | Callable[[rx.State], Awaitable[None]]


# Tabs updated at once per event: enough to overlap database waits, few enough that the first
# tabs get their update early instead of all finishing together at the end.
_CONCURRENCY = asyncio.Semaphore(16)


def _connected_here(app: rx.App, token: str) -> bool:
    namespace = app.event_namespace
    if namespace is None:
        return False
    # Reflex's token manager knows which tabs have a socket on this worker (a dict lookup; the
    # public `token_to_sid` copies the whole mapping on every call).
    manager = namespace._token_manager
    record = manager.token_to_socket.get(token)
    return record is not None and record.instance_id == manager.instance_id


async def _refresh_tab(
    app: rx.App, token: str, refresh: Refresher, cls: type[rx.State], *, registered: bool = True
) -> None:
    if not _connected_here(app, token):
        TABS.forget(token)  # closed, or reconnected elsewhere (where on_load registered it)
        return
    async with _CONCURRENCY:
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=cls)) as root:
                if registered and not await _still_registered(root, token):
                    return
                state = await root.get_state(cls)
                if isinstance(refresh, str):
                    await getattr(state, refresh)()
                else:
                    await refresh(state)
        except Exception:  # one broken tab must not stop the others
            log.exception("Live update for tab %s failed", token[:8])


async def _still_registered(root: rx.State, token: str) -> bool:
    """Whether the tab's state still belongs to the session it was registered with: the tab
    may have been emptied (its session ended) or taken over by another session since."""
    tab = TABS.get(token)
    session = await root.get_state(SessionState)
    return tab is not None and session.session_key == tab.session_key


def _views_for(event: ev.LiveEvent, tab: Tab) -> list[tuple[type[rx.State], Refresher]]:
    """What to re-read in a tab for an event; the NEW_POST home check is done separately."""
    from microblog.state.export import ExportState
    from microblog.state.messages import MessagesState
    from microblog.state.notifications import NotificationsState

    if event.kind == ev.TASK and tab.user_id and event.concerns(tab.user_id):
        return [(ExportState, "_on_live_task")]
    if event.kind == ev.INBOX and tab.user_id and event.concerns(tab.user_id):
        found: list[tuple[type[rx.State], Refresher]] = [(LiveState, "_reload")]
        if tab.path == routes.MESSAGES:
            found.append((MessagesState, "_on_live_inbox"))
        elif tab.path == routes.NOTIFICATIONS:
            found.append((NotificationsState, "_on_live_inbox"))
        return found
    return []


async def deliver(app: rx.App, event: ev.LiveEvent) -> int:
    """Deliver one event to the tabs on this worker it concerns; returns how many were updated."""
    from microblog.state.feed import FeedState

    jobs: list[Awaitable[None]] = []
    if event.kind == ev.SESSIONS_ENDED:
        jobs = [_end_tab(app, token) for token in TABS.of_sessions(event)]
    elif event.kind == ev.ANNOUNCEMENT:
        jobs = await _announcement_jobs(app, event)
    elif event.kind == ev.NEW_POST:
        home = [(t, tab) for t, tab in TABS.items() if tab.path == routes.INDEX and tab.user_id]
        explore = [t for t, tab in TABS.items() if tab.path == routes.EXPLORE]
        readers: set[int] = set()
        if home:
            candidates = {tab.user_id for _, tab in home}
            readers = await run_db(
                lambda db: new_posts.readers_of_author(
                    db, author_id=event.author_id, candidates=candidates
                )
            )
        targets = explore + [t for t, tab in home if tab.user_id in readers]
        jobs = [_refresh_tab(app, t, "_recount_new_posts", FeedState) for t in targets]
    else:
        tabs = TABS.of_users(event.user_ids) if event.user_ids else TABS.items()
        for token, tab in tabs:
            jobs += [_refresh_tab(app, token, fn, cls) for cls, fn in _views_for(event, tab)]
    if jobs:
        await asyncio.gather(*jobs)
    return len(jobs)


async def _end_tab(app: rx.App, token: str) -> None:
    """A tab whose login session ended: stop delivering to it and empty its state, which the
    open page shows at once (as a visitor's page)."""
    TABS.forget(token)

    async def empty(state: rx.State) -> None:
        await empty_tab(state._get_root_state())
        state.show_visitor()  # type: ignore[attr-defined]

    await _refresh_tab(app, token, empty, SessionState, registered=False)


async def end_tabs_of_dead_sessions(app: rx.App) -> int:
    """Empty the tabs whose session has expired or was ended while its event went astray (a
    Redis hiccup): one read for all the sessions this worker delivers to."""
    keys = TABS.session_keys()
    if not keys:
        return 0
    live = await run_read(lambda db: auth_sessions.live_session_keys(db, keys=keys))
    dead = ",".join(keys - live)
    if not dead:
        return 0
    return await deliver(app, ev.LiveEvent(kind=ev.SESSIONS_ENDED, extra={"keys": dead}))


async def _announcement_jobs(app: rx.App, event: ev.LiveEvent) -> list[Awaitable[None]]:
    """Every tab shows the new banner: read it and every signed-in reader's marker and unread
    count in one go, then only set values in each tab (no database work per tab)."""
    tabs = TABS.items()
    readers = {tab.user_id for _, tab in tabs if tab.user_id}
    row, dismissed, unread = await run_db(
        lambda db: announcements.announcement_for_readers(
            db, announcement_id=event.ref_id, user_ids=readers
        )
    )
    if row is None:
        return []

    def show(tab: Tab) -> Callable[[rx.State], Awaitable[None]]:
        async def apply(state: rx.State) -> None:
            state._show_announcement(  # type: ignore[attr-defined]
                row,
                dismissed_up_to=dismissed.get(tab.user_id, 0),
                unread_notifications=unread.get(tab.user_id, 0) if tab.user_id else None,
            )

        return apply

    return [_refresh_tab(app, token, show(tab), LiveState) for token, tab in tabs]


async def _deliver_forever(app: rx.App) -> None:
    """Subscribe to the hub and deliver each event, resubscribing if the hub connection drops."""
    delay = 0.5
    while True:
        try:
            async with get_hub().subscribe() as stream:
                delay = 0.5
                async for event in stream:
                    task = asyncio.create_task(deliver(app, event))
                    _RUNNING.add(task)
                    task.add_done_callback(_RUNNING.discard)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Live events: subscription lost; retrying in %.1f s", delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


_RUNNING: set[asyncio.Task] = set()


PRUNE_EVERY_SECONDS = 60.0


def _drop_visitor_state(app: rx.App, token: str) -> bool:
    """Free the server-side state of a closed visitor's tab now rather than when Reflex's
    token expiry (an hour) ends it: a visitor's tab holds nothing worth keeping, and visitors
    could otherwise open and close tabs faster than they expire. Signed-in tabs keep theirs.

    The in-memory and disk stores (one worker) expose `_purge_token`; with Redis the state is
    not in this process and its keys expire by their own TTL."""
    manager = app.state_manager
    purge = getattr(manager, "_purge_token", None)
    if purge is None:
        return False
    key = rx.BaseStateToken(ident=token, cls=rx.State)
    lock = getattr(manager, "_states_locks", {}).get(key.lock_key)
    if lock is not None and lock.locked():
        return False  # an event is using it: it was not closed after all
    purge(key)
    return True


def prune_closed_tabs(app: rx.App) -> int:
    """Forget the tabs that have closed; drop the state of closed visitors' tabs. Returns how
    many states were dropped."""
    gone = TABS.prune(lambda token: _connected_here(app, token))
    return sum(_drop_visitor_state(app, token) for token, tab in gone if not tab.user_id)


async def _prune_forever(app: rx.App) -> None:
    """Forget closed tabs that no event has touched, so the registry tracks open tabs only."""
    while True:
        await asyncio.sleep(PRUNE_EVERY_SECONDS)
        try:
            prune_closed_tabs(app)
        except Exception:
            log.exception("Live events: could not prune closed tabs")
        try:
            await end_tabs_of_dead_sessions(app)
        except Exception:
            log.exception("Live events: could not check the open tabs' sessions")


@asynccontextmanager
async def live_updates(app: rx.App) -> AsyncIterator[None]:
    """Lifespan task: deliver live events to this worker's tabs while the backend runs."""
    async with background_tasks(live_events=_deliver_forever(app), live_prune=_prune_forever(app)):
        yield
