"""Route constants and URL builders, so a path is spelled in one place."""

from __future__ import annotations

from urllib.parse import quote

INDEX = "/"
EXPLORE = "/explore"
LOGIN = "/login"
REGISTER = "/register"
EDIT_PROFILE = "/edit_profile"
USER = "/user/[username]"
LOGOUT_HTTP = "/auth/logout"


def user_url(username: str) -> str:
    return f"/user/{quote(username, safe='')}"
