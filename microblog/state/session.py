"""Who is using this tab. The login session itself is a database row; the browser holds its token
in an HttpOnly cookie, which reaches us in the websocket handshake headers.

Only the signed-in user's own public data is kept in (browser-visible) vars. The session is
re-checked against the database on every page load and before every action, so logging out in one
tab, or a revoked session, takes effect everywhere.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

import reflex as rx

from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.routes import LOGIN
from microblog.schemas import avatar_url
from microblog.services import auth_sessions, users


def cookie_token(cookie_header: str, name: str) -> str:
    try:
        jar = SimpleCookie(cookie_header or "")
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel else ""


async def _resolve(token: str) -> tuple[int, str, str] | None:
    """(user id, username, avatar) for a live session token, touching last_seen on the way.

    Every page load and action comes through here, so the check is one read-only statement;
    the write that records activity runs only when `last_seen` is older than the throttle,
    about once a minute per active user instead of a write transaction per event.
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
    return found.user_id, found.username, avatar_url(found.email, 36)


class SessionState(rx.State):
    user_id: int = 0
    user_name: str = ""
    user_avatar: str = ""
    auth_checked: bool = False

    @rx.var
    def is_authenticated(self) -> bool:
        return self.user_id > 0

    def _token(self) -> str:
        return cookie_token(self.router.headers.cookie, get_settings().session_cookie_name)

    async def current_user_id(self) -> int | None:
        """Re-check the session with the database and return the user id, or None."""
        token = self._token()
        found = await _resolve(token)
        if found is None:
            self.user_id, self.user_name, self.user_avatar = 0, "", ""
        else:
            self.user_id, self.user_name, self.user_avatar = found
        self.auth_checked = True
        return found[0] if found else None

    def login_redirect(self) -> rx.event.EventSpec:
        """Send the browser to the login page, coming back here afterwards."""
        url = self.router.url
        here = url.path + (f"?{url.query}" if url.query else "")
        return rx.redirect(f"{LOGIN}?next={quote(here, safe='')}")

    @rx.event
    async def load_session(self) -> None:
        await self.current_user_id()

    @rx.event
    async def require_login(self) -> rx.event.EventSpec | None:
        if await self.current_user_id() is None:
            return self.login_redirect()
        return None
