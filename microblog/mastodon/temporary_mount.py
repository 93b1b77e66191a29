"""TEMPORARY (branch h24-rest): serve `ROUTERS` under /api/v1 and /api/v2 until the mount of
the h24-oauth branch (microblog/mastodon/__init__.py) replaces this module at merge.

A FastAPI sub-application with Mastodon's error shape, mounted in front of our /api mount
(which would otherwise take /api/v1/... and answer in its own shape)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.routing import Match, Mount
from starlette.types import Scope

from microblog.mastodon.errors import install_error_handlers
from microblog.mastodon.routers import ROUTERS

PREFIXES = ("/api/v1/", "/api/v2/")


class _PrefixMount(Mount):
    """Matches only paths under Mastodon's prefixes, leaving the rest of /api to our API."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIXES):
            return Match.NONE, {}
        return super().matches(scope)


def create_mastodon_rest_api() -> FastAPI:
    app = FastAPI(title="Microblog: Mastodon API", docs_url=None, redoc_url=None)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def mount_mastodon_rest_api(app: FastAPI) -> None:
    app.router.routes.insert(0, _PrefixMount("", app=create_mastodon_rest_api()))
