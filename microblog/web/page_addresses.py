"""Pages served at their own address, without a redirect to the folder form.

The production frontend is a build folder served by Starlette's static files (`reflex run --env
prod`): `/explore` is the file `explore/index.html`, and asking for a folder without its trailing
slash gets a 307 to `/explore/`. Every full load of a page with a fixed address (Explore, Log in,
Messages...) would then pay one more round trip before its HTML, and the address bar would show
a different address from the app's own links. This middleware answers such a request with what
the redirect would have led to, under the address that was asked for.
"""

from __future__ import annotations

from collections.abc import Callable
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


async def answer_or_ask_again(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    declined: Callable[[Message], bool],
    again: Scope,
) -> None:
    """Ask `app` for `scope`; if the start of its response is `declined`, send none of that
    response and ask for `again` instead. For GET and HEAD, which have no body to read twice."""
    refused = False

    async def send_unless_declined(message: Message) -> None:
        nonlocal refused
        if message["type"] == "http.response.start":
            refused = declined(message)
        if not refused:
            await send(message)

    await app(scope, receive, send_unless_declined)
    if refused:
        await app(again, receive, send)


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

        def to_the_folder(start: Message) -> bool:
            location = Headers(scope=start).get("location", "")
            return start["status"] in (307, 308) and urlsplit(location).path == folder

        raw_path = scope.get("raw_path")
        again = {**scope, "path": folder, "raw_path": raw_path + b"/" if raw_path else None}
        await answer_or_ask_again(
            self.app, scope, receive, send, declined=to_the_folder, again=again
        )
