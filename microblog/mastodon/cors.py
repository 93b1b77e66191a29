"""CORS for the Mastodon client API, as Mastodon answers it (its rack-cors rules): browser
clients served from another origin (Elk, Phanpy) call `/api/v1/…`, `/api/v2/…`,
`/oauth/token`, `/oauth/revoke` and NodeInfo from the page.

`Access-Control-Allow-Origin: *` and never credentials: these endpoints authenticate with a
bearer token the page holds, not with our cookie, so another origin gains nothing it could not
do with the token anyway. Any request header (Authorization, Content-Type, Idempotency-Key…)
and the methods the API uses are allowed; `Link` (pagination) and the rate-limit headers are
exposed to the page. A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered
here and never reaches a route.

Not for `/oauth/authorize` (the consent page's start: a browser navigation, never a fetch) and
not for anything outside the Mastodon mount: our own `/api`, the session cookie endpoints and
the pages keep no CORS headers at all.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

CORS_PREFIXES = ("/api/v1/", "/api/v2/", "/.well-known/nodeinfo", "/nodeinfo/")
CORS_PATHS = ("/oauth/token", "/oauth/revoke")

EXPOSED_HEADERS = (
    "Link",
    "X-RateLimit-Reset",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-Request-Id",
    "Retry-After",
)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def wants_cors(path: str) -> bool:
    return path.startswith(CORS_PREFIXES) or path in CORS_PATHS


class MastodonCors:
    """`app` with Mastodon's CORS answers on the paths of `wants_cors`, untouched elsewhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.with_cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_credentials=False,
            allow_methods=METHODS,
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
            max_age=86400,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and wants_cors(scope["path"]):
            await self.with_cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
