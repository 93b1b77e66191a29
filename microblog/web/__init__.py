"""The web side of the backend, around the Reflex app: a FastAPI app that Reflex mounts itself
inside (`rx.App(api_transformer=create_http_app())`), so its routes are matched before Reflex's
own and its middlewares wrap everything Reflex serves, the production frontend included.

- routes: `/healthz` and `/readyz` (`health.py`), the session cookie (`session_cookie.py`),
  export downloads (`export_download.py`), pictures of the local media store
  (`media_files.py`), feeds, robots.txt, the sitemap and the app manifest
  (`syndication.py`), the REST API (`microblog.api`, at /api) and the Mastodon client API
  (`microblog.mastodon`: /api/v1, /api/v2, /oauth, NodeInfo);
- the pages' HTML: the first paint of feeds, profiles and the navbar (`first_paint.py`; under
  `make run`, fetched by the page from `dev_first_paint.py`), one
  prerendered profile page (`profile_skeleton.py`), every prerendered page in the reader's
  language (`page_languages.py`), the OpenGraph, Twitter card and feed
  tags of profiles, posts and tags (`page_meta.py`), pages at their own address
  (`page_addresses.py`), cache headers for the build (`asset_caching.py`);
- compression: gzip for every answer of a compressible type to a client that accepts it
  (`compression.py`), so the pages, the API's JSON and the build's scripts are small on the wire
  wherever the backend itself serves them (`reflex run --env prod`, a worker reached directly);
- for everything: security headers (`security_headers.py`), the websocket limit per address
  (`connection_limit.py`), the size limit of Reflex's upload endpoint (`upload_limit.py`),
  request timing for the Prometheus metrics at /metrics (`metrics.py`), a request id for the
  logs (`request_id.py`) and the rest of a body that an answer came before, so the connection
  stays usable (`unread_body.py`).
"""

from __future__ import annotations

from fastapi import FastAPI

from microblog.api import mount_rest_api
from microblog.config import get_settings
from microblog.mastodon import mount_mastodon_api
from microblog.runtime import tune_garbage_collector
from microblog.web.asset_caching import AssetCachingMiddleware
from microblog.web.compression import add_compression
from microblog.web.connection_limit import ConnectionLimitMiddleware
from microblog.web.dev_first_paint import router as dev_first_paint_router
from microblog.web.dev_pages import router as dev_pages_router
from microblog.web.export_download import router as export_download_router
from microblog.web.first_paint import FeedFirstPaintMiddleware, drawing_for
from microblog.web.health import router as health_router
from microblog.web.media_files import router as media_files_router
from microblog.web.metrics import MetricsMiddleware, metrics_page
from microblog.web.page_addresses import PageAddressMiddleware
from microblog.web.page_languages import PageLanguageMiddleware
from microblog.web.page_meta import PageMetaMiddleware
from microblog.web.profile_skeleton import ProfileSkeletonMiddleware
from microblog.web.request_id import RequestIdMiddleware
from microblog.web.security_headers import SecurityHeadersMiddleware
from microblog.web.session_cookie import router as session_cookie_router
from microblog.web.syndication import router as syndication_router
from microblog.web.unread_body import UnreadBodyMiddleware
from microblog.web.upload_limit import UploadLimitMiddleware


def create_http_app() -> FastAPI:
    """The backend's HTTP app. Building it is the last start-up step of a server process (Reflex
    calls this from the composition root; the API benchmark uses it as granian's factory), so
    this is where the process's start-up objects are frozen out of the garbage collector."""
    tune_garbage_collector()
    app = FastAPI(title="Microblog", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(health_router)  # /healthz, /readyz
    app.include_router(session_cookie_router)
    app.include_router(export_download_router)
    app.include_router(media_files_router)  # /media/<name>: pictures of the local store
    app.include_router(syndication_router)  # feeds, robots.txt, sitemaps, the app manifest
    app.include_router(dev_pages_router)  # /_dev/page: statuses and heads for the dev server
    if get_settings().shows_dev_first_paint:
        app.include_router(dev_first_paint_router)
    mount_mastodon_api(app)  # /api/v1, /api/v2, /oauth, nodeinfo: Mastodon's client API
    mount_rest_api(app)  # /api: the REST API, its docs at /api/docs
    app.add_route("/metrics", metrics_page, methods=["GET"], include_in_schema=False)
    # Wraps everything Reflex mounts inside this app too, its production frontend included.
    app.add_middleware(AssetCachingMiddleware)
    app.add_middleware(PageAddressMiddleware)
    app.add_middleware(ProfileSkeletonMiddleware)
    app.add_middleware(FeedFirstPaintMiddleware)  # in the reader's language, with their data
    # Every other page in its reader's language (web/page_languages.py).
    app.add_middleware(PageLanguageMiddleware, skip=lambda path: drawing_for(path) is not None)
    app.add_middleware(PageMetaMiddleware)  # a profile's, a post's, a tag's tags in the head
    add_compression(app)  # outside everything that writes into a page's HTML
    app.add_middleware(MetricsMiddleware)  # times all of the above; counts open websockets
    app.add_middleware(RequestIdMiddleware)  # in every log line of the request
    app.add_middleware(ConnectionLimitMiddleware)
    app.add_middleware(UploadLimitMiddleware)
    app.add_middleware(UnreadBodyMiddleware)  # a body the answer came before
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: on every answer
    return app
