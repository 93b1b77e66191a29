"""What happens to a request's body that the answer came before.

Some answers come before the body is looked at: a 401 for a request without a valid token, a 413
for one that says it is too large, a route that takes no body. When the rest of the body reaches
the server after the answer, the server cannot tell where the next request on that connection
would begin, so it closes the connection (granian does so without a word), and a client that had
already sent its next request on it sees the connection drop with no answer.

So before such an answer starts, a small body (`DRAIN_BYTES` or less, as announced) is read to its
end and dropped, and the connection stays open for the next request; a larger one, one of unknown
length, or one that does not arrive within `DRAIN_SECONDS`, is left unread and the answer says
`Connection: close` (RFC 9112, 9.6), so the client opens a new connection instead.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DRAIN_BYTES = 64 * 1024
DRAIN_SECONDS = 2.0


def announced_length(scope: Scope) -> int | None:
    """The body's length as the request says it (0 when it has none), or None when unknown."""
    headers = dict(scope.get("headers") or [])
    if b"transfer-encoding" in headers:
        return None
    announced = headers.get(b"content-length", b"0").strip()
    return int(announced) if announced.isdigit() else None


async def _read_to_the_end(receive: Receive) -> bool:
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return False  # the client went away
        if not message.get("more_body", False):
            return True


class UnreadBodyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        length = announced_length(scope) if scope["type"] == "http" else 0
        if length == 0:
            await self.app(scope, receive, send)
            return
        body_read = False

        async def receive_noting_the_end() -> Message:
            nonlocal body_read
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_read = True
            return message

        async def send_after_the_body(message: Message) -> None:
            nonlocal body_read
            if message["type"] == "http.response.start" and not body_read:
                if length is not None and length <= DRAIN_BYTES:
                    with contextlib.suppress(TimeoutError):
                        body_read = await asyncio.wait_for(_read_to_the_end(receive), DRAIN_SECONDS)
                if not body_read:
                    MutableHeaders(scope=message)["connection"] = "close"
            await send(message)

        await self.app(scope, receive_noting_the_end, send_after_the_body)
