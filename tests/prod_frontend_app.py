"""A stand-in for the production frontend mount, for tests/unit/test_prod_frontend.py: a build
folder (from PROD_FRONTEND_DIR; its pages in other languages where REFLEX_WEB_WORKDIR says,
as under Reflex) served by Starlette's static files, which is what Reflex's
production mount is, wrapped in our middlewares as `create_http_app` wraps it. granian serves it
over real HTTP."""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from microblog.web.asset_caching import AssetCachingMiddleware
from microblog.web.first_paint import FeedFirstPaintMiddleware, drawing_for
from microblog.web.page_addresses import PageAddressMiddleware
from microblog.web.page_languages import PageLanguageMiddleware
from microblog.web.profile_skeleton import ProfileSkeletonMiddleware


async def _api(_request: object) -> JSONResponse:
    return JSONResponse({"ok": True}, headers={"Cache-Control": "no-store"})


def create() -> Starlette:
    app = Starlette(
        routes=[
            Route("/api/thing", _api),
            Mount("/", StaticFiles(directory=os.environ["PROD_FRONTEND_DIR"], html=True)),
        ]
    )
    app.add_middleware(AssetCachingMiddleware)
    app.add_middleware(PageAddressMiddleware)
    app.add_middleware(ProfileSkeletonMiddleware)
    app.add_middleware(FeedFirstPaintMiddleware)
    app.add_middleware(PageLanguageMiddleware, skip=lambda path: drawing_for(path) is not None)
    return app
