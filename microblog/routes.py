"""Route constants and URL builders, so a path is spelled in one place."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

INDEX = "/"
EXPLORE = "/explore"
LOGIN = "/login"
REGISTER = "/register"
EDIT_PROFILE = "/edit_profile"
USER = "/user/[username]"
LOGOUT_HTTP = "/auth/logout"
SESSION_HTTP = "/auth/session"  # trades a login ticket for the session cookie
MESSAGES = "/messages"
SEND_MESSAGE = "/send_message/[recipient]"
NOTIFICATIONS = "/notifications"
ANNOUNCEMENTS = "/announcements"
RESET_PASSWORD_REQUEST = "/reset_password_request"  # noqa: S105 (a route, not a secret)
RESET_PASSWORD = "/reset_password/[token]"  # noqa: S105 (a route, not a secret)
SEARCH = "/search"
CONFIRM_EMAIL = "/confirm/[token]"


def user_url(username: str) -> str:
    return f"/user/{quote(username, safe='')}"


_PROFILE_ADDRESS = re.compile(r"/user/([^/]+)/?")


def profile_username(path: str) -> str | None:
    """The username in a profile's address (`/user/<name>`, a trailing slash allowed), or None
    for any other path."""
    found = _PROFILE_ADDRESS.fullmatch(path)
    return unquote(found.group(1)) if found else None


def send_message_url(username: str) -> str:
    return f"/send_message/{quote(username, safe='')}"


def search_url(q: str, page: int = 1) -> str:
    url = f"{SEARCH}?q={quote(q, safe='')}"
    return url if page <= 1 else f"{url}&page={page}"


def confirm_url(token: str) -> str:
    """The address of an email-confirmation link (services/registration.py)."""
    return f"/confirm/{quote(token, safe='')}"


def post_url(post_id: int) -> str:
    """A post's thread page: its ancestors, the post, its replies."""
    return f"/post/{int(post_id)}"
