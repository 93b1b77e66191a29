"""Pages served at their own address, without a redirect to the folder form.

The production frontend is a build folder served by Starlette's static files (`reflex run --env
prod`): `/explore` is the file `explore/index.html`, and asking for a folder without its trailing
slash gets a 307 to `/explore/`. Every full load of a page with a fixed address (Explore, Log in,
Messages...) then paid one more round trip before its HTML, 10-20 ms on this machine, and the
address bar showed a different address from the app's own links. This middleware answers such a
request with what the redirect would have led to, under the address that was asked for.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _may_be_a_folder(scope: Scope) -> bool:
    path: str = scope["path"]
    last = path.rsplit("/", 1)[-1]
    return (
        scope["type"] == "http"
        and scope["method"] in ("GET", "HEAD")
        and not path.endswith("/")
        and "." not in last  # a file name, not a page
    )


class PageAddressMiddleware:
    """Pure ASGI. A request that the app answers with a redirect to the same path plus "/" is
    asked again with that path, and the page is sent instead of the redirect."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _may_be_a_folder(scope):
            await self.app(scope, receive, send)
            return
        folder = scope["path"] + "/"
        redirected = False

        async def send_unless_slash_redirect(message: Message) -> None:
            nonlocal redirected
            if message["type"] == "http.response.start" and message["status"] in (307, 308):
                location = Headers(scope=message).get("location", "")
                redirected = urlsplit(location).path == folder
            if not redirected:
                await send(message)

        await self.app(scope, receive, send_unless_slash_redirect)
        if redirected:
            raw_path = scope.get("raw_path")
            again = {**scope, "path": folder, "raw_path": raw_path + b"/" if raw_path else None}
            await self.app(again, receive, send)
