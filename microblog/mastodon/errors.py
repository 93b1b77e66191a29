"""Errors of the Mastodon API in Mastodon's shape, `{"error": "<what went wrong>"}`: our
services' domain errors mapped to statuses (an invalid field is a 422, as on Mastodon), an
unknown record a 404 "Record not found", and nothing unexpected ever as HTML. The OAuth
endpoints (/oauth/*) answer RFC 6749's `{"error": "<code>", "error_description": "..."}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from microblog.api.errors import ApiError, validation_message
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

_STATUS: dict[type[DomainError], int] = {
    Invalid: 422,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooManyRequests: 429,
    Unavailable: 503,
}


class MastodonError(Exception):
    """Raise to answer `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


_OAUTH_STATUS = {"invalid_client": 401, "unauthorized_client": 403}


def oauth_error_response(problem: OAuthError, status: int | None = None) -> JSONResponse:
    status = status or _OAUTH_STATUS.get(problem.error, 400)
    return JSONResponse(
        {"error": problem.error, "error_description": str(problem.message)}, status_code=status
    )


async def _oauth_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OAuthError)
    return oauth_error_response(exc)


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _mastodon_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MastodonError)
    return error_response(exc.status, exc.message, exc.headers)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    """Our API's own error (its upload route's 413 and 415), in Mastodon's shape."""
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 422)
    if isinstance(exc, NotFound):
        return error_response(404, "Record not found")
    if isinstance(exc, TooManyRequests):
        return error_response(status, str(exc.message), {"Retry-After": str(exc.retry_after)})
    message = str(exc.message)
    return error_response(status, f"Validation failed: {message}" if status == 422 else message)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, validation_message(list(exc.errors())))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = "Record not found" if exc.status_code == 404 else str(exc.detail)
    return error_response(exc.status_code, message, dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("Mastodon API error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "The server met an unexpected error. It has been logged.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MastodonError, _mastodon_error)
    app.add_exception_handler(OAuthError, _oauth_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
