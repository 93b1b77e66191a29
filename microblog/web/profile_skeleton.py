"""One prerendered page for every profile: the build prerenders it, the server answers every
profile address with it.

Reflex prerenders the pages with fixed addresses (`/explore`), whose HTML the browser shows and
React then hydrates. A profile's address has a parameter, so it got Reflex's empty SPA fallback
page instead and was rendered on the client, where the profile's data, arriving meanwhile,
waited behind that first render. The profile's first render does not depend on the name (it
shows the layout and "loading" until the page's data arrives), so one page prerendered at
`SKELETON` (`ProfileSkeletonPlugin`, in rxconfig.py) serves every `/user/<name>`
(`ProfileSkeletonMiddleware`).

A build without it (or the dev server, which serves the frontend itself) makes the page ask for
the profile's own address as before.
"""

from __future__ import annotations

from typing import Any

from reflex_base.plugins.base import Plugin
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog.routes import profile_username
from microblog.web.page_addresses import answer_or_ask_again

SKELETON = "/user/_"
"""The profile address that is prerendered (`_` is not a valid username)."""

REACT_ROUTER_CONFIG = "react-router.config.js"
_PRERENDER_ALL = '"prerender": true'
_SKELETON_PAGE = SKELETON + "/"


def _with_skeleton(config: str) -> str:
    """React Router's config with the skeleton added to the prerendered paths (a production
    build prerenders all fixed paths; a dev config has no prerender key and stays as it is)."""
    if _PRERENDER_ALL not in config:
        return config
    every_path = f'"prerender": async ({{ getStaticPaths }}) => [...getStaticPaths(), "{SKELETON}"]'
    return config.replace(_PRERENDER_ALL, every_path)


class ProfileSkeletonPlugin(Plugin):
    """Adds `SKELETON` to the paths the production build prerenders."""

    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](REACT_ROUTER_CONFIG, _with_skeleton)


def _is_profile_page(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] in ("GET", "HEAD")
        and profile_username(scope["path"]) is not None
    )


def _not_found(start: Message) -> bool:
    return bool(start["status"] == 404)


class ProfileSkeletonMiddleware:
    """Pure ASGI. `/user/<name>` (query kept) is answered as `SKELETON/`, unless that is 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_profile_page(scope):
            await self.app(scope, receive, send)
            return
        skeleton = {**scope, "path": _SKELETON_PAGE, "raw_path": _SKELETON_PAGE.encode()}
        await answer_or_ask_again(
            self.app, skeleton, receive, send, declined=_not_found, again=scope
        )
