"""Every profile address is answered with the one prerendered profile page
(`microblog/profile_skeleton.py`, which explains why).

A production build has it at `SKELETON`; a build without it (or the dev server, which serves the
frontend itself) makes the page ask for the profile's own address as before.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog.api.page_addresses import answer_or_ask_again
from microblog.profile_skeleton import SKELETON
from microblog.routes import profile_username

_SKELETON_PAGE = SKELETON + "/"


def _is_profile_page(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] in ("GET", "HEAD")
        and profile_username(scope["path"]) is not None
    )


def _not_found(start: Message) -> bool:
    return start["status"] == 404


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
