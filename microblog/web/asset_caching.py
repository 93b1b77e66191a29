"""Cache headers for the production frontend, which the Reflex backend serves from its build
folder when one port serves both sides (`reflex run --env prod`).

Reflex sends those files with an ETag and a Last-Modified date but no Cache-Control, so the
browser either asks again on every page load (about twenty module requests before the page can
start) or, worse, guesses a freshness for `index.html` from its age and keeps an old page that
names assets a new deployment no longer has. The build already puts a content hash in every
file name under `assets/`, so:

- a hashed asset never changes under its name: `immutable`, kept for a year, never re-asked;
- every other frontend file (the HTML of each route, `favicon.ico`, files copied from `assets/`
  under their own names) is revalidated each time
  (`no-cache`: a cheap 304 while the ETag matches), so a deployment is seen at once.

Responses that already carry Cache-Control (the API, the export download) are left alone, and
websockets pass straight through.
"""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

# Vite's `[name]-[hash].[ext]`: at least 8 characters of base64url hash before the extension.
_HASHED_ASSET = re.compile(r"/assets/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")
# What the frontend build serves besides hashed assets (page HTML, the favicon, files copied from
# `assets/` as they are). The API answers JSON, which no browser caches without being told to.
_FRONTEND_TYPES = (
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "image/",
    "font/",
    "application/manifest+json",
)


def cache_control_for(path: str, status: int, content_type: str) -> str | None:
    """The Cache-Control to add to a response that has none, or None to leave it as it is."""
    if status not in (200, 304):
        return None
    if _HASHED_ASSET.search(path):
        return IMMUTABLE
    if content_type.startswith(_FRONTEND_TYPES):
        return REVALIDATE
    return None


class AssetCachingMiddleware:
    """Pure ASGI (no per-request task or body buffering, unlike BaseHTTPMiddleware): it only
    looks at the response's start message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_caching(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "cache-control" not in headers:
                    value = cache_control_for(
                        path, message["status"], headers.get("content-type", "")
                    )
                    if value is not None:
                        headers["Cache-Control"] = value
            await send(message)

        await self.app(scope, receive, send_with_caching)
