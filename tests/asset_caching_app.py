"""A stand-in for the production frontend mount, for tests/unit/test_asset_caching.py: a build
folder (from ASSET_CACHING_DIR) served by Starlette's static files, which is what Reflex's
production mount is, wrapped in our caching middleware. granian serves it over real HTTP."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from microblog.api.asset_caching import AssetCachingMiddleware


async def _api(_request: object) -> JSONResponse:
    return JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})


def create() -> Starlette:
    app = Starlette(
        routes=[
            Route("/api/thing", _api),
            Mount("/", StaticFiles(directory=os.environ["ASSET_CACHING_DIR"], html=True)),
        ]
    )
    app.add_middleware(AssetCachingMiddleware)
    return app
