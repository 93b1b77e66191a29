"""A route class for endpoints with a JSON body: a body over 64 KiB is a 413 (read no further),
and a body that is not JSON a 415, both before FastAPI parses anything.

FastAPI would otherwise treat a form or text body as "not an object" and answer with a
validation error, which tells the client the wrong thing; and its own body limit answers in
plain text, outside the API's error handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from microblog.api.errors import ApiError

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
MAX_BODY_BYTES = 64 * 1024  # the largest valid body is a few hundred bytes


async def _read_body(request: Request) -> bytes:
    """The body, refusing to buffer more than MAX_BODY_BYTES (a declared length is trusted to
    refuse early; a chunked body is counted as it arrives). Starlette caches what is read here,
    so FastAPI parses the same bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KiB.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, f"The body is larger than {MAX_BODY_BYTES // 1024} KiB.")
    request._body = bytes(body)  # Starlette's own cache of the body (what `.body()` returns)
    return request._body


def is_json(content_type: str) -> bool:
    """application/json, or any application/…+json, with any parameters (charset…)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class JsonRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def json_only(request: Request) -> Response:
            body = await _read_body(request)
            content_type = request.headers.get("content-type")
            # No Content-Type and no body is left to FastAPI ("the request needs a JSON body").
            if content_type is None and not body:
                return await handler(request)
            if not is_json(content_type or ""):
                raise ApiError(415, "Send the body as JSON, with Content-Type: application/json.")
            return await handler(request)

        return json_only
