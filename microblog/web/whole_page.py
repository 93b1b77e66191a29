"""A page as the static files send it, whole, for a middleware to write into or swap.

The middlewares that change a page's HTML (web/first_paint.py, web/page_languages.py) need all
of its bytes: they ask without the browser's validators (a 304 has nothing to write into, and
would let the browser keep a page made for another reader or language), without
Accept-Encoding (a precompressed page cannot be written into; the compression middleware
outside compresses the result) and without the server's file-sending extensions (which would
send the file without passing its bytes through us).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ASK_WITHOUT = {b"accept-encoding", b"if-none-match", b"if-modified-since", b"range"}
_FILE_EXTENSIONS = ("http.response.pathsend", "http.response.zerocopysend")


def without_validators(scope: Scope) -> Scope:
    """`scope` asking for the whole, uncompressed page."""
    return {
        **scope,
        "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in _ASK_WITHOUT],
        "extensions": {
            k: v for k, v in scope.get("extensions", {}).items() if k not in _FILE_EXTENSIONS
        },
    }


def is_page(start: Message) -> bool:
    """Whether a response start is a page sent whole (200, HTML)."""
    content_type = Headers(raw=start.get("headers", [])).get("content-type", "")
    return start.get("status") == 200 and content_type.startswith("text/html")


async def whole_page(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> tuple[Message, bytes] | None:
    """The start and body of `app`'s answer when it is a page (`is_page`), not yet sent; any
    other answer is passed to `send` as it comes (it may be a stream) and None returned."""
    start: Message | None = None
    passing = False
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        nonlocal start, passing
        if message["type"] == "http.response.start":
            if is_page(message):
                start = message
                return
            passing = True
        if passing:
            await send(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    if start is None:
        return None
    return start, b"".join(chunks)
