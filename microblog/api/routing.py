"""Route classes that check a body before FastAPI parses anything: for endpoints with a JSON
body, a body over 64 KiB is a 413 (read no further) and a body that is not JSON a 415; for
uploads (`UploadRoute`), a body over one picture's limit is a 413 and one that is not
multipart/form-data a 415.

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
from microblog.config import get_settings

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
MAX_BODY_BYTES = 64 * 1024  # the largest valid body is a few hundred bytes


async def _read_body(
    request: Request, limit: int = MAX_BODY_BYTES, too_large: str | None = None
) -> bytes:
    """The body, refusing to buffer more than `limit` bytes (a declared length is trusted to
    refuse early; a chunked body is counted as it arrives). Starlette caches what is read here,
    so FastAPI parses the same bytes."""
    message = too_large or f"The body is larger than {limit // 1024} KiB."
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, message)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, message)
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


# Multipart boundaries and part headers around the one file.
UPLOAD_FRAMING_BYTES = 16 * 1024


def too_large_upload() -> str:
    return f"The picture is larger than {get_settings().media_max_bytes / 1_048_576:g} MB."


class UploadRoute(APIRoute):
    """An endpoint taking one picture as multipart/form-data: at most `MEDIA_MAX_BYTES` of
    file (413 beyond, read no further), and a 415 for any other kind of body."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def multipart_only(request: Request) -> Response:
            media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if media != "multipart/form-data":
                raise ApiError(415, "Send the picture as multipart/form-data, in the field file.")
            limit = get_settings().media_max_bytes + UPLOAD_FRAMING_BYTES
            await _read_body(request, limit, too_large_upload())
            return await handler(request)

        return multipart_only
