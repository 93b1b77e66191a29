"""Who calls the Mastodon client API, and whether their token allows it.

    caller: Caller = Depends(require_scope("read:statuses"))   # 401 / 403 / 422
    caller: Caller | None = Depends(optional_caller)            # public endpoints

A token is one of a Mastodon client's (services/oauth.py, with its scopes) or one of our own
REST API's (services/api_tokens.py: all scopes, `token_id` None). Missing, unknown, revoked
tokens and those of disabled or suspended accounts get 401; a token without the scope 403; an
app's own token (client credentials, no user) 422, as Mastodon answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from microblog.db import session_scope
from microblog.mastodon.errors import MastodonError
from microblog.models import row_id
from microblog.services import api_tokens, oauth

INVALID_TOKEN = "The access token is invalid"  # noqa: S105 (a message)
OUTSIDE_SCOPES = "This action is outside the authorized scopes"
NEEDS_USER = "This method requires an authenticated user"
CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
ALL_SCOPES = frozenset(oauth.TOP_SCOPES)


@dataclass(frozen=True)
class Caller:
    user_id: int
    token_id: int | None
    scopes: frozenset[str]


def bearer_token(request: Request) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def lookup_token(token: str) -> Caller | oauth.TokenGrant | None:
    """The caller of a user's token, the grant of an app's own token, or None."""
    with session_scope() as db:
        grant = oauth.resolve(db, token=token)
        if grant is not None:
            if grant.user_id is None:
                return grant
            return Caller(user_id=grant.user_id, token_id=grant.token_id, scopes=grant.scopes)
        user = api_tokens.resolve_token(db, token=token)
        if user is not None:
            return Caller(user_id=row_id(user), token_id=None, scopes=ALL_SCOPES)
    return None


def require_scope(scope: str) -> Callable[..., Caller]:
    """A dependency: the signed-in caller whose token grants `scope`."""
    if scope not in oauth.SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def dependency(request: Request) -> Caller:
        token = bearer_token(request)
        found = lookup_token(token) if token else None
        if found is None:
            raise MastodonError(401, INVALID_TOKEN, CHALLENGE)
        if not oauth.grants(found.scopes, scope):
            raise MastodonError(403, OUTSIDE_SCOPES)
        if not isinstance(found, Caller):
            raise MastodonError(422, NEEDS_USER)
        return found

    dependency.__name__ = f"require_{scope.replace(':', '_')}"
    return dependency


def optional_caller(request: Request) -> Caller | None:
    """The signed-in caller, or None without a token. A token that is sent but does not work
    is still a 401 (a client should learn its token is gone)."""
    token = bearer_token(request)
    if not token:
        return None
    found = lookup_token(token)
    if found is None:
        raise MastodonError(401, INVALID_TOKEN, CHALLENGE)
    return found if isinstance(found, Caller) else None
