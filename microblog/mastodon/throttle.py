"""Rate limits per client address on the Mastodon endpoints that need no token, as Mastodon
answers them: registering an app (`POST /api/v1/apps`) and asking for a token
(`POST /oauth/token`). Counted by services/rate_limits.py (in the database, shared by every
worker); over the limit, `429 {"error": "Too many requests"}` with `Retry-After`. Every answer
carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (ISO 8601)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from microblog.api.auth import client_address
from microblog.config import Settings, get_settings
from microblog.db import session_scope
from microblog.mastodon.errors import MastodonError
from microblog.schemas import iso_utc
from microblog.services import rate_limits

TOO_MANY = "Too many requests"


def _setting(name: str, pick: Callable[[Settings], tuple[int, int]]) -> rate_limits.RateLimit:
    requests, window = pick(get_settings())
    return rate_limits.RateLimit(name, requests, window)


def app_limit() -> rate_limits.RateLimit:
    return _setting("mastodon-apps", lambda settings: settings.mastodon_app_rate_limit)


def token_limit() -> rate_limits.RateLimit:
    return _setting("oauth-token", lambda settings: settings.oauth_token_rate_limit)


async def throttle(request: Request, limit: rate_limits.RateLimit) -> dict[str, str]:
    """Count this request against `limit` for its client address: the X-RateLimit-* headers
    for the answer, or a 429 raised with them and `Retry-After`."""
    client = client_address(request)

    def count() -> rate_limits.Window:
        with session_scope() as db:
            return rate_limits.hit_window(db, limit=limit, client=client)

    window = await run_in_threadpool(count)
    headers = {
        "X-RateLimit-Limit": str(window.limit),
        "X-RateLimit-Remaining": str(window.remaining),
        "X-RateLimit-Reset": iso_utc(window.resets_at),
    }
    if window.retry_after:
        raise MastodonError(429, TOO_MANY, headers | {"Retry-After": str(window.retry_after)})
    return headers
