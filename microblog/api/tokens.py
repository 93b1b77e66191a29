"""`POST /api/tokens` (HTTP Basic -> a bearer token) and `DELETE /api/tokens` (revoke it).

A token request is a login attempt, the login form's own (services/login.py): username or email,
the same cost whether or not the account exists, the same throttle counted before the slow
hash. On top, token requests are rate limited per client address, because each one costs a
password hash even with wrong credentials.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from microblog.api.auth import (
    BASIC_CHALLENGE,
    BasicCredentials,
    BearerCredentials,
    client_address,
    token_of,
    unauthorized,
)
from microblog.api.contract import TokenOut, errors
from microblog.api.errors import ApiError
from microblog.config import get_settings
from microblog.db import session_scope
from microblog.services import api_tokens, rate_limits
from microblog.services.login import create_api_token

router = APIRouter(tags=["tokens"])


def _too_many(wait: int, what: str) -> ApiError:
    return ApiError(429, f"{what} Try again in {wait} s.", {"Retry-After": str(wait)})


@router.post("/tokens", response_model=TokenOut, responses=errors(401, 429))
def create_token(request: Request, credentials: BasicCredentials) -> JSONResponse:
    """A new token for the user named in the HTTP Basic credentials (username or email)."""
    settings = get_settings()
    client = client_address(request)
    requests, window = settings.api_token_rate_limit
    with session_scope() as db:
        wait = rate_limits.hit(
            db, limit=rate_limits.RateLimit("tokens", requests, window), client=client
        )
    if wait:
        raise _too_many(wait, "Too many token requests.")
    if credentials is None or not credentials.username.strip() or not credentials.password:
        raise ApiError(401, "Send your username and password with HTTP Basic.", BASIC_CHALLENGE)
    login, password = credentials.username.strip(), credentials.password
    with session_scope() as db:
        attempt = create_api_token(
            db,
            login=login,
            password=password,
            client=client,
            lifetime_seconds=settings.api_token_lifetime,
        )
    if attempt.wait:
        raise _too_many(attempt.wait, "Too many failed attempts.")
    if attempt.unconfirmed is not None:
        raise attempt.unconfirmed  # a 403 saying why (api/errors.py)
    if not attempt.credential:
        raise ApiError(401, "Invalid username or password.", BASIC_CHALLENGE)
    return JSONResponse({"token": attempt.credential})


@router.delete("/tokens", status_code=204, responses=errors(401))
def revoke_token(credentials: BearerCredentials) -> Response:
    """Revoke the bearer token this request carries: it stops working at once."""
    token = token_of(credentials)
    with session_scope() as db:
        if api_tokens.resolve_token(db, token=token) is None:
            raise unauthorized()
        api_tokens.revoke_token(db, token=token)
    return Response(status_code=204)
