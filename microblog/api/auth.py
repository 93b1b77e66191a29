"""Who is calling: HTTP Basic (only to get a token) and bearer tokens (everything else).

The security schemes are FastAPI's, so the OpenAPI document and /api/docs show them, but their
parsing never raises: a missing or malformed header is simply "no credentials", and the endpoint
answers 401 in the API's own JSON shape. Basic credentials are decoded as UTF-8 (RFC 7617), so
a password with non-ASCII characters works as it does in the login form.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from sqlmodel import Session

from microblog.api.errors import ApiError
from microblog.client_address import client_address as address_of
from microblog.db import session_scope
from microblog.models import User
from microblog.services import api_tokens

BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="Authentication Required"'}
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="Authentication Required"'}


class _LenientBasic(HTTPBasic):
    """HTTP Basic that returns None for anything it cannot read (instead of FastAPI's ASCII-only
    decoding and its own 401 body)."""

    async def __call__(self, request: Request) -> HTTPBasicCredentials | None:  # type: ignore[override]
        scheme, _, param = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic" or not param.strip():
            return None
        try:
            decoded = base64.b64decode(param.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        username, separator, password = decoded.partition(":")
        if not separator:
            return None
        return HTTPBasicCredentials(username=username, password=password)


_basic = _LenientBasic(
    scheme_name="HTTPBasic",
    auto_error=False,
    description="Username (or email) and password, only for `POST /api/tokens`.",
)


class _RequiredBearer(HTTPBearer):
    """A bearer token, or a 401 at once when there is none: raised while FastAPI solves the
    dependencies, so a request without a token hears 401 before anything about its body. The
    token itself is checked in the handler's unit of work (`authorized`), with no extra trip to
    a thread or the database."""

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:  # type: ignore[override]
        credentials = await super().__call__(request)
        if credentials is None or not credentials.credentials.strip():
            raise unauthorized()
        return credentials


_bearer = _RequiredBearer(
    scheme_name="HTTPBearer",
    auto_error=False,
    description="A token from `POST /api/tokens`, valid for an hour by default.",
)

BasicCredentials = Annotated[HTTPBasicCredentials | None, Depends(_basic)]
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def token_of(credentials: HTTPAuthorizationCredentials | None) -> str:
    return credentials.credentials.strip() if credentials else ""


def unauthorized(message: str = "A valid bearer token is required.") -> ApiError:
    return ApiError(401, message, BEARER_CHALLENGE)


@contextmanager
def authorized(credentials: HTTPAuthorizationCredentials | None) -> Iterator[tuple[Session, User]]:
    """One unit of work for a request with a live token: (session, the token's user). The token
    check and the work share a session, so a request costs one connection and one transaction."""
    with session_scope() as db:
        user = api_tokens.resolve_token(db, token=token_of(credentials))
        if user is None:
            raise unauthorized()
        yield db, user


def client_address(request: Request) -> str:
    """The client's address, which rate limits and the login throttle count against: the peer,
    or behind trusted reverse proxies the address they name (microblog/client_address.py)."""
    peer = request.client.host if request.client else None
    return address_of(peer, request.headers.getlist("x-forwarded-for"))
