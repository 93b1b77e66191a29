"""The Mastodon client API: Mastodon's documented endpoints (under /api/v1 and /api/v2), its
OAuth 2 sign-in (/oauth/*) and NodeInfo (/.well-known/nodeinfo, /nodeinfo/2.0), served beside
our own /api on the backend's address, so Tusky, Elk, toot or Mastodon.py can use Microblog.
Endpoints and what we refuse: docs/mastodon-api.md.

One FastAPI sub-application holds every router of `routers.ROUTERS` with their full paths and
answers errors in Mastodon's shape (`{"error": ...}`, errors.py). It is mounted in front of our
own /api mount for the paths in `PREFIXES` only, so /api/v1/... never reaches our API (whose
paths never start with /v1 or /v2) and our /api/... never reaches this one.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from microblog.mastodon.cors import MastodonCors
from microblog.mastodon.errors import install_error_handlers

PREFIXES = ("/api/v1/", "/api/v2/", "/oauth/", "/.well-known/nodeinfo", "/nodeinfo/")


def create_mastodon_app() -> FastAPI:
    from microblog.mastodon.routers import ROUTERS  # the routers import this package's modules

    app = FastAPI(title="Mastodon client API", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


class _PrefixRoute(BaseRoute):
    """Every request whose path starts with one of `prefixes` goes to `app`, path unchanged."""

    def __init__(self, prefixes: tuple[str, ...], app: ASGIApp) -> None:
        self.prefixes = prefixes
        self.app = app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(self.prefixes):
            return Match.FULL, {}
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def mount_mastodon_api(app: FastAPI) -> None:
    """Serve the Mastodon client API from the backend's HTTP app: call before `mount_rest_api`
    (routes are matched in order, and /api takes every path under it). Browser clients on
    another origin get Mastodon's CORS answers (cors.py)."""
    app.router.routes.append(_PrefixRoute(PREFIXES, MastodonCors(create_mastodon_app())))
