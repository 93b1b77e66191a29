"""Route constants and URL builders, so a path is spelled in one place."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

INDEX = "/"
EXPLORE = "/explore"
LOGIN = "/login"
REGISTER = "/register"
EDIT_PROFILE = "/edit_profile"
SAFETY_SETTINGS = "/settings/safety"  # who may message you, whom you block and mute
USER = "/user/[username]"
LOGOUT_HTTP = "/auth/logout"
SESSION_HTTP = "/auth/session"  # trades a login ticket for the session cookie
MESSAGES = "/messages"
CONVERSATION = "/messages/[username]"
SEND_MESSAGE = "/send_message/[recipient]"  # the old "send a message" page: leads to CONVERSATION
NOTIFICATIONS = "/notifications"
ANNOUNCEMENTS = "/announcements"
MODERATION = "/moderation"
RESET_PASSWORD_REQUEST = "/reset_password_request"  # noqa: S105 (a route, not a secret)
RESET_PASSWORD = "/reset_password/[token]"  # noqa: S105 (a route, not a secret)
SEARCH = "/search"
CONFIRM_EMAIL = "/confirm/[token]"
POST = "/post/[id]"
TAG = "/tag/[name]"
# The Mastodon client API's sign-in (microblog/mastodon/oauth.py): the consent page, and the
# list of the apps a user has let in.
AUTHORIZE_APP = "/authorize_app"
AUTHORIZED_APPS = "/authorized_apps"
# Every page of the app (microblog.py registers each, and the app's Not Found page for any
# other address): what the dev server answers 404 for (web/dev_pages.py).
PAGES = (
    INDEX,
    EXPLORE,
    LOGIN,
    REGISTER,
    EDIT_PROFILE,
    SAFETY_SETTINGS,
    USER,
    MESSAGES,
    CONVERSATION,
    SEND_MESSAGE,
    NOTIFICATIONS,
    ANNOUNCEMENTS,
    MODERATION,
    RESET_PASSWORD_REQUEST,
    RESET_PASSWORD,
    SEARCH,
    CONFIRM_EMAIL,
    POST,
    TAG,
    AUTHORIZE_APP,
    AUTHORIZED_APPS,
)
_PAGE_PATTERNS = tuple(
    re.compile(re.sub(r"\\\[\w+\\\]", "[^/]+", re.escape(page.rstrip("/"))) + "/?")
    for page in PAGES
)


def is_page(path: str) -> bool:
    """Whether `path` is the address of one of the app's pages (whatever its name or id)."""
    return any(pattern.fullmatch(path) for pattern in _PAGE_PATTERNS)


def user_url(username: str, tab: str = "") -> str:
    """A profile's address; with `tab`, that tab of it (posts, followers, following)."""
    address = f"/user/{quote(username, safe='')}"
    return f"{address}?tab={tab}" if tab else address


_PROFILE_ADDRESS = re.compile(r"/user/([^/]+)/?")


def profile_username(path: str) -> str | None:
    """The username in a profile's address (`/user/<name>`, a trailing slash allowed), or None
    for any other path."""
    found = _PROFILE_ADDRESS.fullmatch(path)
    return unquote(found.group(1)) if found else None


def post_url(post_id: int) -> str:
    """A post's conversation page (the post, what it answers, its replies)."""
    return f"/post/{int(post_id)}"


def tag_url(name: str) -> str:
    """The posts with a hashtag (`name` without the `#`, normalised as
    services/rich_text.normalize_tag does). Tags can be in any script: the name is
    percent-encoded (UTF-8)."""
    return f"/tag/{quote(name, safe='')}"


def conversation_url(username: str) -> str:
    """Your conversation with `username`: both sides, and the box to write to them."""
    return f"{MESSAGES}/{quote(username, safe='')}"


def path_username(path: str, prefix: str) -> str | None:
    """The name in `<prefix>/<name>` (a trailing slash allowed), or None for any other path."""
    head, slash, rest = path.partition(prefix + "/")
    name = rest.removesuffix("/")
    if head or not slash or not name or "/" in name:
        return None
    return unquote(name)


def conversation_username(path: str) -> str | None:
    """The correspondent in a conversation's address (`/messages/<name>`), or None."""
    return path_username(path, MESSAGES)


def page_url(address: str, page: int) -> str:
    """Page `page` of the list at `address` (a path, or a path with its query): what a pager's
    Newer and Older link to, on the live page and in the server's drawing alike."""
    return f"{address}{'&' if '?' in address else '?'}page={page}"


def search_url(q: str, page: int = 1) -> str:
    url = f"{SEARCH}?q={quote(q, safe='')}"
    return url if page <= 1 else f"{url}&page={page}"


def confirm_url(token: str) -> str:
    """The address of an email-confirmation link (services/registration.py)."""
    return f"/confirm/{quote(token, safe='')}"


_POST_ADDRESS = re.compile(r"/post/([0-9]{1,18})/?")
_TAG_ADDRESS = re.compile(r"/tag/([^/]+)/?")


def thread_post_id(path: str) -> int | None:
    """The post id in a thread page's address (`/post/<id>`), or None for any other path."""
    found = _POST_ADDRESS.fullmatch(path)
    return int(found.group(1)) if found else None


def tag_name(path: str) -> str | None:
    """The tag in a tag page's address (`/tag/<name>`), decoded, or None for any other path."""
    found = _TAG_ADDRESS.fullmatch(path)
    return unquote(found.group(1)) if found else None
