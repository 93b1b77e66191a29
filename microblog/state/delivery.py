"""Live delivery: what each feature wants re-read when a live event arrives, and the delivery of
events to the open tabs of this backend worker.

A feature subscribes from its own state module, naming the event kind, its state, the private
method that re-reads what the state shows for its own user, and which tabs want it:

    delivery.subscribe(ev.INBOX, MessagesState, "_on_live_inbox",
                       where=lambda tab: tab.path == routes.MESSAGES)

So this module imports no feature state; it knows only the login session, which every tab's
state is bound to (state/session.py). Underscore methods are not event handlers, so the browser
cannot call them; the delivery calls them on the tab's own state.

Delivering one event: take the tabs it concerns (its users' tabs, or every tab when it names
none) in this worker's registry (live/tabs.py), keep those each subscription wants, and open each
tab's state with `app.modify_state`, at most `_CONCURRENCY` at once, where the subscribed method
re-reads from the database. A subscription may narrow its tabs with one query for all of them
(`audience`) or read once what every tab will show (`read`), instead of a query per tab.
A tab is updated only while its state still belongs to the login session it was registered with
(`_still_registered`); an ended session empties its tabs instead (SESSIONS_ENDED).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import reflex as rx
from reflex.state import BaseState
from sqlmodel import Session

from microblog import metrics
from microblog.db import run_db, run_read
from microblog.jobs import background_tasks
from microblog.live import events as ev
from microblog.live.hub import get_hub
from microblog.live.tabs import TABS, Tab
from microblog.services import auth_sessions
from microblog.state.session import SessionState, empty_tab

log = logging.getLogger(__name__)

# What a delivery does to one tab's state.
Refresh = Callable[[rx.State], Awaitable[Any]]


@dataclass(frozen=True)
class Subscription:
    """`state.<method>()` is called on each tab that wants an event of its kind; with `read`,
    `state.<method>(what_was_read, tab)`; with `with_event`, `state.<method>(event)`."""

    state: type[rx.State]
    method: str
    # Which tabs want it (by what they show); signed-in tabs only unless `visitors`.
    where: Callable[[Tab], bool] | None = None
    visitors: bool = False
    # (db, event, the signed-in users of the tabs) -> the users whose tabs want it.
    audience: Callable[[Session, ev.LiveEvent, set[int]], set[int]] | None = None
    # (db, event, the signed-in users of the tabs) -> what every tab shows; None: nothing to do.
    read: Callable[[Session, ev.LiveEvent, set[int]], object] | None = None
    # `state.<method>(event)`: the tab needs to know what changed (which post) to re-read it.
    with_event: bool = False
    # (tab token, tab, event) -> whether this tab may be concerned, decided without its state.
    concerns: Callable[[str, Tab, ev.LiveEvent], bool] | None = None

    def wants(self, tab: Tab) -> bool:
        return (self.visitors or bool(tab.user_id)) and (self.where is None or self.where(tab))


_SUBSCRIPTIONS: dict[str, list[Subscription]] = {}


def subscribe(
    kind: str,
    state: type[rx.State],
    method: str,
    *,
    where: Callable[[Tab], bool] | None = None,
    visitors: bool = False,
    audience: Callable[[Session, ev.LiveEvent, set[int]], set[int]] | None = None,
    read: Callable[[Session, ev.LiveEvent, set[int]], object] | None = None,
    with_event: bool = False,
    concerns: Callable[[str, Tab, ev.LiveEvent], bool] | None = None,
) -> None:
    """Have `state.<method>` called on the tabs that want each event of `kind` (see
    `Subscription`). `method` must be private: the browser must not be able to call it."""
    if not method.startswith("_") or not callable(getattr(state, method, None)):
        raise ValueError(f"{state.__name__}.{method} is not a private method")
    found = Subscription(state, method, where, visitors, audience, read, with_event, concerns)
    subscribers = _SUBSCRIPTIONS.setdefault(kind, [])
    if found not in subscribers:
        subscribers.append(found)


def _call(method: str, *args: object) -> Refresh:
    def refresh(state: rx.State) -> Awaitable[Any]:
        return getattr(state, method)(*args)

    return refresh


async def _query(
    query: Callable[[Session, ev.LiveEvent, set[int]], Any], event: ev.LiveEvent, readers: set[int]
) -> Any:
    """A subscription's one query for all its tabs, in a worker thread."""
    return await run_db(lambda db: query(db, event, readers))


async def targets(event: ev.LiveEvent) -> list[tuple[str, type[rx.State], Refresh]]:
    """(tab token, state, what to do) for each tab of this worker that wants `event`. The
    subscriptions' `audience` and `read` queries run here, once per event."""
    tabs = TABS.of_users(event.user_ids) if event.user_ids else TABS.items()
    found: list[tuple[str, type[rx.State], Refresh]] = []
    for sub in _SUBSCRIPTIONS.get(event.kind, ()):
        concerns = sub.concerns
        wanting = [
            (token, tab)
            for token, tab in tabs
            if sub.wants(tab) and (concerns is None or concerns(token, tab, event))
        ]
        if not wanting:
            continue
        readers = {tab.user_id for _, tab in wanting if tab.user_id}
        if (audience := sub.audience) is not None:
            chosen = await _query(audience, event, readers) if readers else set()
            wanting = [(token, tab) for token, tab in wanting if tab.user_id in chosen]
        if (read := sub.read) is None:
            refresh = _call(sub.method, event) if sub.with_event else _call(sub.method)
            found += [(token, sub.state, refresh) for token, _ in wanting]
            continue
        shared = await _query(read, event, readers)
        if shared is not None:
            found += [(token, sub.state, _call(sub.method, shared, tab)) for token, tab in wanting]
    return found


# Tabs updated at once per event: enough to overlap database waits, few enough that the first
# tabs get their update early instead of all finishing together at the end.
_CONCURRENCY = asyncio.Semaphore(16)


def _connected_here(app: rx.App, token: str) -> bool:
    """Whether the tab has a socket on this worker. This reads Reflex's private token manager:
    its public `token_to_sid` copies the whole token-to-socket mapping on every call, and this
    runs for every tab an event concerns; here it is one dict lookup."""
    namespace = app.event_namespace
    if namespace is None:
        return False
    manager = namespace._token_manager
    record = manager.token_to_socket.get(token)
    return record is not None and record.instance_id == manager.instance_id


async def _refresh_tab(
    app: rx.App, token: str, refresh: Refresh, cls: type[rx.State], *, registered: bool = True
) -> bool:
    """Whether the tab was updated (its delta sent)."""
    if not _connected_here(app, token):
        TABS.forget(token)  # closed, or reconnected elsewhere (where on_load registered it)
        return False
    async with _CONCURRENCY:
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=cls)) as root:
                if registered and not await _still_registered(root, token):
                    return False
                await refresh(await root.get_state(cls))
        except Exception:  # one broken tab must not stop the others
            log.exception("Live update for tab %s failed", token[:8])
            return False
    return True


async def _timed(job: Awaitable[bool], event: ev.LiveEvent) -> None:
    """Run one tab's update; once its delta is sent, record how old the event was."""
    if await job and event.published:
        metrics.DELIVERY_SECONDS.labels(event.kind).observe(max(0.0, time.time() - event.published))


async def _still_registered(root: BaseState, token: str) -> bool:
    """Whether the tab's state still belongs to the session it was registered with: the tab
    may have been emptied (its session ended) or taken over by another session since."""
    tab = TABS.get(token)
    session = await root.get_state(SessionState)
    return tab is not None and session.session_key == tab.session_key


async def deliver(app: rx.App, event: ev.LiveEvent) -> int:
    """Deliver one event to the tabs on this worker it concerns; returns how many were updated."""
    if event.kind == ev.SESSIONS_ENDED:
        jobs = [_timed(_end_tab(app, token), event) for token in TABS.of_sessions(event)]
    else:
        jobs = [
            _timed(_refresh_tab(app, token, refresh, state), event)
            for token, state, refresh in await targets(event)
        ]
    if jobs:
        await asyncio.gather(*jobs)
    return len(jobs)


async def _end_tab(app: rx.App, token: str) -> bool:
    """A tab whose login session ended: stop delivering to it and empty its state, which the
    open page shows at once (as a visitor's page)."""
    TABS.forget(token)

    async def empty(state: rx.State) -> None:
        await empty_tab(state._get_root_state())
        state.show_visitor()  # type: ignore[attr-defined]

    return await _refresh_tab(app, token, empty, SessionState, registered=False)


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
