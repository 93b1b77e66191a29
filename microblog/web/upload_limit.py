"""A cap on the size of what Reflex's upload endpoint (`/_upload`, where `rx.upload_files`
posts a picture) reads.

Starlette parses a multipart body to the end, spooling files to disk, however large they are,
before the handler can look at one. So the request must say its length and stay under
`MEDIA_MAX_BYTES` for each file a handler may be handed (`FILES`, state/event_check.py's
`MAX_ITEMS`: the compose box takes a drop of several photos at once and says itself which it
keeps) plus room for the form's own framing; anything else is answered 413 (or 411 without a
length) before a byte of the body is read. The HTTP
server holds a body to its `Content-Length`, so no more is read than was announced. The pages
refuse a file over the limit before sending it (`rx.upload`'s `max_size`), with a message; this
is for everything else.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from microblog.config import get_settings

UPLOAD_PATH = "/_upload"
FILES = 16  # state/event_check.py's MAX_ITEMS (a test keeps the two equal)
FRAMING_BYTES = 64 * 1024  # multipart boundaries, part headers, the bound-arguments field


def upload_limit() -> int:
    return get_settings().media_max_bytes * FILES + FRAMING_BYTES


class UploadLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "") != UPLOAD_PATH:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        announced = headers.get(b"content-length", b"").decode("latin-1").strip()
        if not announced.isdigit():
            await _refuse(send, 411, "An upload must say its length (Content-Length).")
            return
        if int(announced) > upload_limit():
            await _refuse(send, 413, "The upload is too large.")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
