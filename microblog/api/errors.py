"""Every error of the REST API as JSON `{"error": <HTTP reason phrase>, "message": <detail>}`.

The handlers here catch what can go wrong anywhere in the API app: our own `ApiError`, the
services' domain errors (the one place they are mapped to statuses), FastAPI's request
validation (a 400 with the field and the problem, never FastAPI's default 422), Starlette's
404/405 for unknown paths and methods, and anything unexpected (a logged 500, never an HTML page
or a traceback).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

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

log = logging.getLogger(__name__)

_DOMAIN_STATUS: dict[type[DomainError], int] = {
    Invalid: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooManyRequests: 429,
    Unavailable: 503,
}

_DEFAULT_MESSAGES = {
    401: "Authentication required.",
    404: "The requested URL was not found on the server.",
    405: "The method is not allowed for the requested URL.",
    413: "The request body is too large.",
    500: "The server met an unexpected error. It has been logged.",
}


class ApiError(Exception):
    """Raise to answer with `status` and a message (and headers such as Retry-After)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown error"


def error_response(
    status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": reason(status), "message": message or _DEFAULT_MESSAGES.get(status, "")}
    return JSONResponse(body, status_code=status, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    """("body", "email") -> "email"; ("query", "page") -> "page"; ("body",) -> "body"."""
    parts = [str(part) for part in location[1:]] if len(location) > 1 else [str(location[0])]
    return ".".join(parts)


def validation_message(errors: list[dict[str, Any]]) -> str:
    """One readable sentence per problem. Only the field and pydantic's message are used: the
    submitted value (a password, say) is never echoed back."""
    problems: list[str] = []
    for error in errors:
        location = tuple(error.get("loc", ()))
        kind = error.get("type", "")
        if kind == "json_invalid":
            detail = (error.get("ctx") or {}).get("error", "")
            problems.append(f"The body is not valid JSON ({detail}).")
        elif kind == "missing":
            if location[:1] == ("body",) and len(location) == 1:
                problems.append("The request needs a JSON body.")
            else:
                problems.append(f"{_field(location)}: this field is required.")
        elif location[:1] == ("body",) and len(location) == 1:
            problems.append("The body must be a JSON object.")
        else:
            problems.append(f"{_field(location)}: {error.get('msg', 'invalid value')}.")
    return " ".join(problems) or "The request is not valid."


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = next((code for kind, code in _DOMAIN_STATUS.items() if isinstance(exc, kind)), 400)
    if isinstance(exc, TooManyRequests):  # a spam brake (services/spam_brakes.py)
        return error_response(status, exc.message, {"Retry-After": str(exc.retry_after)})
    return error_response(status, exc.message)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(400, validation_message(list(exc.errors())))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    raw: object = exc.detail  # typed str, but FastAPI's HTTPException takes any value
    detail = raw if isinstance(raw, str) else None
    if detail == reason(exc.status_code):  # Starlette's default detail is the phrase itself
        detail = None
    return error_response(exc.status_code, detail, dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("API error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
