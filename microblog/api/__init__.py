"""The HTTP side of the backend: a FastAPI app that Reflex mounts itself inside
(`rx.App(api_transformer=...)`), so these routes are matched before Reflex's own."""

from __future__ import annotations

from fastapi import FastAPI

from microblog.api.asset_caching import AssetCachingMiddleware
from microblog.api.connection_limit import ConnectionLimitMiddleware
from microblog.api.export_download import router as export_download_router
from microblog.api.feed_first_paint import FeedFirstPaintMiddleware
from microblog.api.page_addresses import PageAddressMiddleware
from microblog.api.profile_skeleton import ProfileSkeletonMiddleware
from microblog.api.rest import mount_rest_api
from microblog.api.security_headers import SecurityHeadersMiddleware
from microblog.api.session_cookie import router as session_cookie_router
from microblog.runtime import tune_garbage_collector


def create_http_app() -> FastAPI:
    """The backend's HTTP app. Building it is the last start-up step of a server process (Reflex
    calls this from the composition root; the API benchmark uses it as granian's factory), so
    this is where the process's start-up objects are frozen out of the garbage collector."""
    tune_garbage_collector()
    app = FastAPI(title="Microblog", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(session_cookie_router)
    app.include_router(export_download_router)
    mount_rest_api(app)  # /api: the REST API, its docs at /api/docs
    # Wraps everything Reflex mounts inside this app too, its production frontend included.
    app.add_middleware(AssetCachingMiddleware)
    app.add_middleware(PageAddressMiddleware)
    app.add_middleware(ProfileSkeletonMiddleware)
    app.add_middleware(FeedFirstPaintMiddleware)
    app.add_middleware(ConnectionLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: on every answer
    return app
