"""Who is using this tab, and the guard that keeps a tab's state bound to its login session.

The login session itself is a database row; the browser holds its token in an HttpOnly cookie,
which reaches us in the websocket handshake headers. Only the signed-in user's own public data
is kept in (browser-visible) vars.

A tab's state lives on the server under the tab's token, which the browser keeps in
sessionStorage and sends in the websocket address. The token is an address, not a credential:
whoever reconnects with it is sent that tab's state. So every event (the reconnect's hydrate
first) passes through `SessionState.guard` (installed as an app middleware, `SessionGuard`):
the state remembers which login session filled it, and when the cookie of the event is absent
or another one, or the session has ended, the whole tab is emptied before anything is sent.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any, overload
from urllib.parse import quote

import reflex as rx
from reflex.middleware import Middleware

from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.routes import LOGIN
from microblog.schemas import UserFace, avatar_url
from microblog.security import hash_token
from microblog.services import auth_sessions, users

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.event import Event
    from reflex.state import BaseState, StateUpdate


def cookie_token(cookie_header: str, name: str) -> str:
    try:
        jar = SimpleCookie(cookie_header or "")
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel else ""


async def _resolve(token: str) -> tuple[int, str, str] | None:
    """(user id, username, avatar) for a live session token, touching last_seen on the way.

    Every event of a signed-in tab comes through here, so the check is one read-only statement;
    the write that records activity runs only when `last_seen` is older than the throttle, about
    once a minute per active user instead of a write transaction per event.
    """
    if not token:
        return None
    found = await run_read(lambda db: auth_sessions.session_user(db, token=token))
    if found is None:
        return None
    throttle = get_settings().last_seen_throttle_seconds
    if not found.seen_within(throttle):
        await run_db(
            lambda db: users.touch_last_seen(db, user_id=found.user_id, throttle_seconds=throttle)
        )
    return found.user_id, found.username, avatar_url(found.email, 36, picture=found.avatar)


def _app_state_classes(cls: type[BaseState]) -> list[type[BaseState]]:
    """Every state class of ours under `cls`: the ones that can hold a reader's data (Reflex's
    own internal states hold none)."""
    found: list[type[BaseState]] = []
    for sub in cls.get_substates():
        if sub.__module__.startswith("microblog."):
            found.append(sub)
        found.extend(_app_state_classes(sub))
    return found


async def empty_tab(root: BaseState) -> None:
    """Put every state of ours in this tab back to its defaults, loading the ones not in memory
    first (with Redis or the disk store, a state not yet loaded would otherwise come back with
    its old contents at the next event that reads it).

    What the browser keeps for itself (client storage: the chosen language) is the browser's,
    not the session's: it stays, or emptying one tab would reset the language of them all."""
    states = [await root.get_state(cls) for cls in _app_state_classes(type(root))]
    kept = [
        (state, {name: getattr(state, name) for name in state.base_vars})
        for state in states
        if any(state._is_client_storage(name) for name in state.base_vars)
    ]
    for state in states:
        state.reset()
    for state, values in kept:
        for name, value in values.items():
            if state._is_client_storage(name):
                setattr(state, name, value)


def _current_event() -> str:
    """The id of the event being handled, so the session is read once per event: by the
    middleware, and not again by the handler's own check. Empty outside an event."""
    from reflex_base.event.context import EventContext

    try:
        return EventContext.get().txid
    except LookupError:
        return ""


class SessionState(rx.State):
    user_id: int = 0
    user_name: str = ""
    user_avatar: str = ""
    auth_checked: bool = False
    # The login session that filled this tab (the hash of its cookie token, as the database
    # keeps it; never sent to the browser), and the event it was last confirmed for.
    _session_key: str = ""
    _checked_for: str = ""

    @rx.var
    def is_authenticated(self) -> bool:
        return self.user_id > 0

    def _token(self) -> str:
        return cookie_token(self.router.headers.cookie, get_settings().session_cookie_name)

    @property
    def session_key(self) -> str:
        """The login session this tab's state belongs to ("" for a visitor)."""
        return self._session_key

    async def guard(self) -> None:
        """Bind the tab to the session of the event's cookie, emptying it when that changes or
        the session has ended; then know the reader from the database. Runs before every event
        (`SessionGuard`): one read-only statement per event of a signed-in tab."""
        token = self._token()
        key = hash_token(token) if token else ""
        if key != self._session_key:
            await empty_tab(self._get_root_state())
            self._session_key = key
        if not key:
            self._set_reader(None)
            return
        event = _current_event()
        if event and self.auth_checked and event == self._checked_for:
            return  # the middleware checked it for this very event
        found = await _resolve(token)
        if found is None and self.user_id:
            # The session ended while this tab showed its user's data.
            await empty_tab(self._get_root_state())
            self._session_key = key
        self._set_reader(found)
        self._checked_for = event

    def _set_reader(self, found: tuple[int, str, str] | None) -> None:
        """Know the reader; only what changed is assigned, so an event sends no delta for it
        when nothing did."""
        reader = found or (0, "", "")
        if (self.user_id, self.user_name, self.user_avatar) != reader:
            self.user_id, self.user_name, self.user_avatar = reader
        if not self.auth_checked:
            self.auth_checked = True

    def show_face(self, face: UserFace) -> None:
        """The reader's picture (or name) changed: the navbar draws the new one at once (the
        next event's check would read it anyway)."""
        if face.user_id == self.user_id:
            self.user_name, self.user_avatar = face.username, face.small

    async def _on_user_changed(self, face: UserFace | None, _tab: object) -> None:
        """USER_CHANGED, delivered to the changed user's own tabs (state/edit_profile.py)."""
        if face is not None:
            self.show_face(face)

    def show_visitor(self) -> None:
        """The tab's session has ended: show a visitor's page until the next event checks the
        cookie again."""
        self._set_reader(None)

    async def current_user_id(self) -> int | None:
        """The reader of this event, checked against the database (see `guard`), or None."""
        await self.guard()
        return self.user_id or None

    def login_redirect(self) -> rx.event.EventSpec:
        """Send the browser to the login page, coming back here afterwards."""
        url = self.router.url
        here = url.path + (f"?{url.query}" if url.query else "")
        return rx.redirect(f"{LOGIN}?next={quote(here, safe='')}")

    @rx.event
    async def load_session(self) -> None:
        await self.current_user_id()


Handler = Callable[..., Awaitable[Any]]


@overload
def login_required(handler: Handler, /) -> Handler: ...


@overload
def login_required(*, page_load: bool = False) -> Callable[[Handler], Handler]: ...


def login_required(
    handler: Handler | None = None, /, *, page_load: bool = False
) -> Handler | Callable[[Handler], Handler]:
    """A state's handler that needs a signed-in reader says so in one line:

        @rx.event
        @login_required
        async def submit_post(self, _form: dict | None = None, *, user_id: int) -> ...:

    The reader is known before the handler runs (`SessionState.current_user_id`, the session
    already confirmed for this event by `SessionGuard`) and comes in as the keyword-only
    `user_id`; anyone else is sent to log in, coming back here afterwards, and the handler does
    not run. `user_id` is not a parameter the browser can send: the handler Reflex and
    `EventCheck` see has the signature without it. `page_load=True` is for a page's on_load: the
    page's data (`PageData`) is marked as not read for this view as well, so nothing read for
    another page shows behind the redirect. Works on private helpers too (a handler that checks
    something else first, then calls one).
    """

    def decorate(fn: Handler) -> Handler:
        signature = inspect.signature(fn)
        reader = signature.parameters.get("user_id")
        if reader is None or reader.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{fn.__qualname__} needs a keyword-only `user_id` parameter")

        @functools.wraps(fn)
        async def guarded(self: rx.State, *args: Any, **kwargs: Any) -> Any:
            session = await self.get_state(SessionState)
            user_id = await session.current_user_id()
            if user_id is None:
                if page_load:
                    self._set_loaded(False)  # type: ignore[attr-defined]
                return session.login_redirect()
            return await fn(self, *args, user_id=user_id, **kwargs)

        # What Reflex and EventCheck read of the handler: its parameters without `user_id`.
        guarded.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p for name, p in signature.parameters.items() if name != "user_id"]
        )
        guarded.__annotations__ = {
            name: hint for name, hint in fn.__annotations__.items() if name != "user_id"
        }
        return guarded

    return decorate(handler) if handler is not None else decorate


class SessionGuard(Middleware):
    """Runs `SessionState.guard` before every event of every tab, the reconnect's hydrate
    included, so no handler (and no state sent to the browser) sees a tab filled for another
    session."""

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        await (await state.get_state(SessionState)).guard()
        return None
