"""One prerendered page for every profile (and one for every thread, one for every tag, one for
every conversation): the build prerenders it, the server answers every such address with it.

Reflex prerenders the pages with fixed addresses (`/explore`), whose HTML the browser shows and
React then hydrates. A profile's address has a parameter, so it got Reflex's empty SPA fallback
page instead and was rendered on the client, where the profile's data, arriving meanwhile,
waited behind that first render. The profile's first render does not depend on the name (it
shows the layout and "loading" until the page's data arrives), so one page prerendered at
`SKELETON` (`ProfileSkeletonPlugin`, in rxconfig.py) serves every `/user/<name>`
(`ProfileSkeletonMiddleware`). Threads (`/post/<id>`), tags (`/tag/<name>`) and conversations
(`/messages/<name>`) are pages of the same kind and get the same treatment, so that their first
paint (web/first_paint.py) has a page to be written into. So do the pages that links in emails
open (`/reset_password/<token>`, `/confirm/<token>`) and `/send_message/<name>`: without one,
they were a blank page until their scripts ran, and for good in a browser with scripts off,
where the prerendered page says that it needs them (components/layout.py, `loading`).

A build without it (or the dev server, which serves the frontend itself) makes the page ask for
the profile's own address as before.
"""

from __future__ import annotations

from typing import Any

from reflex_base.plugins.base import Plugin
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog.routes import (
    CONFIRM_EMAIL,
    RESET_PASSWORD,
    SEND_MESSAGE,
    conversation_username,
    path_username,
    profile_username,
    tag_name,
    thread_post_id,
)
from microblog.web.page_addresses import answer_or_ask_again

SKELETON = "/user/_"
"""The profile address that is prerendered (`_` is not a valid username)."""
THREAD_SKELETON = "/post/_"  # `_` is no post id
TAG_SKELETON = "/tag/_"  # a tag `_` would be answered with the same page: it fits any tag
CONVERSATION_SKELETON = "/messages/_"  # `_` is no username either
# Pages whose address ends in a token or a name and whose first render does not use it: the
# skeleton of each, by the address's fixed part (`_` is no token a link ever carries).
SKELETON_OF_PREFIX = {
    prefix: f"{prefix}/_"
    for prefix in (page.rsplit("/", 1)[0] for page in (RESET_PASSWORD, CONFIRM_EMAIL, SEND_MESSAGE))
}
SKELETONS = (
    SKELETON,
    THREAD_SKELETON,
    TAG_SKELETON,
    CONVERSATION_SKELETON,
    *SKELETON_OF_PREFIX.values(),
)

REACT_ROUTER_CONFIG = "react-router.config.js"
_PRERENDER_ALL = '"prerender": true'


def _with_skeleton(config: str) -> str:
    """React Router's config with the skeleton added to the prerendered paths (a production
    build prerenders all fixed paths; a dev config has no prerender key and stays as it is)."""
    if _PRERENDER_ALL not in config:
        return config
    extra = ", ".join(f'"{path}"' for path in SKELETONS)
    every_path = f'"prerender": async ({{ getStaticPaths }}) => [...getStaticPaths(), {extra}]'
    return config.replace(_PRERENDER_ALL, every_path)


class ProfileSkeletonPlugin(Plugin):
    """Adds the `SKELETONS` to the paths the production build prerenders."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](REACT_ROUTER_CONFIG, _with_skeleton)


def _skeleton_of(scope: Scope) -> str | None:
    """The prerendered page (its folder address) that answers this request, if any."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return None
    path = scope["path"]
    if profile_username(path) is not None:
        return SKELETON + "/"
    if thread_post_id(path) is not None:
        return THREAD_SKELETON + "/"
    if tag_name(path) is not None:
        return TAG_SKELETON + "/"
    if conversation_username(path) is not None:
        return CONVERSATION_SKELETON + "/"
    for prefix, skeleton in SKELETON_OF_PREFIX.items():
        if path_username(path, prefix) is not None:
            return skeleton + "/"
    return None


def _not_found(start: Message) -> bool:
    return bool(start["status"] == 404)


class ProfileSkeletonMiddleware:
    """Pure ASGI. `/user/<name>`, `/post/<id>`, `/tag/<name>`, `/messages/<name>` and the pages
    of `SKELETON_OF_PREFIX` (query kept) are answered as their skeleton's page, unless that is
    404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = _skeleton_of(scope)
        if page is None:
            await self.app(scope, receive, send)
            return
        skeleton = {**scope, "path": page, "raw_path": page.encode()}
        await answer_or_ask_again(
            self.app, skeleton, receive, send, declined=_not_found, again=scope
        )
