"""Errors in Mastodon's shape: `{"error": "<what went wrong>"}` (and OAuth's
`{"error": "<code>", "error_description": "..."}` from /oauth/*), for every error of the
Mastodon sub-application, unknown paths and unexpected failures included."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from microblog.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
    Unavailable,
)
from microblog.services.oauth import OAuthError

log = logging.getLogger(__name__)

_DOMAIN_STATUS: dict[type[DomainError], int] = {
    Invalid: 422,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 422,
    TooManyRequests: 429,
    Unavailable: 503,
}
_OAUTH_STATUS = {"invalid_client": 401, "unauthorized_client": 403}


class MastodonError(Exception):
    def __init__(self, status: int, error: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.headers = status, error, headers or {}


def mastodon_error(status: int, error: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def oauth_error_response(problem: OAuthError, status: int | None = None) -> JSONResponse:
    status = status or _OAUTH_STATUS.get(problem.error, 400)
    return JSONResponse(
        {"error": problem.error, "error_description": str(problem.message)}, status_code=status
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MastodonError)
    async def _ours(_request: Request, exc: MastodonError) -> JSONResponse:
        return mastodon_error(exc.status, exc.error, exc.headers)

    @app.exception_handler(OAuthError)
    async def _oauth(_request: Request, exc: OAuthError) -> JSONResponse:
        return oauth_error_response(exc)

    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        status = next((s for t, s in _DOMAIN_STATUS.items() if isinstance(exc, t)), 422)
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        return mastodon_error(status, str(exc.message), headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return mastodon_error(422, f"Validation failed: {field} {first.get('msg', 'is invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "Record not found", 405: "Method not allowed"}
        return mastodon_error(exc.status_code, messages.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("Mastodon API: unexpected error on %s %s", request.method, request.url.path)
        return mastodon_error(500, "The server met an unexpected error")
