"""Who is calling the Mastodon API: PLACEHOLDER for the h24-rest branch.

The real module (OAuth tokens with scopes) comes from the h24-oauth branch with exactly this
interface; this one accepts our own API bearer tokens (services/api_tokens.py) and grants them
every scope, so the REST endpoints can be built and tested on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from microblog.db import session_scope
from microblog.mastodon.errors import MastodonError
from microblog.models import row_id
from microblog.services import api_tokens

ALL_SCOPES = frozenset(
    {
        "read",
        "write",
        "follow",
        "push",
        "read:accounts",
        "read:statuses",
        "read:notifications",
        "read:follows",
        "read:blocks",
        "read:mutes",
        "read:favourites",
        "write:statuses",
        "write:favourites",
        "write:media",
        "write:notifications",
        "write:follows",
        "write:blocks",
        "write:mutes",
    }
)


@dataclass(frozen=True)
class Caller:
    user_id: int
    token_id: int | None
    scopes: frozenset[str]


def _caller(request: Request) -> Caller | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    with session_scope() as db:
        user = api_tokens.resolve_token(db, token=token.strip())
        return None if user is None else Caller(row_id(user), None, ALL_SCOPES)


def require_scope(scope: str) -> Callable[[Request], Caller]:
    """A dependency: the caller, whose token must grant `scope` (or its top-level scope)."""

    def dependency(request: Request) -> Caller:
        caller = _caller(request)
        if caller is None:
            raise MastodonError(401, "The access token is invalid")
        if scope not in caller.scopes and scope.split(":", 1)[0] not in caller.scopes:
            raise MastodonError(403, "This action is outside the authorized scopes")
        return caller

    return dependency


def optional_caller(request: Request) -> Caller | None:
    """The caller when a valid token came, else None (public endpoints); a token that is sent
    but invalid is still a 401, as on Mastodon."""
    if not request.headers.get("authorization"):
        return None
    caller = _caller(request)
    if caller is None:
        raise MastodonError(401, "The access token is invalid")
    return caller
