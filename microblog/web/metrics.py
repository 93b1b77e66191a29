"""The HTTP side of the metrics (microblog/metrics.py): timing every request, counting open
websockets, and serving `GET /metrics` to the scraper and nobody else.

Who may scrape: with `METRICS_TOKEN` set, a request carrying `Authorization: Bearer <token>`
(from anywhere); without it, only a request made directly from this machine's loopback, with
no proxy's forwarding headers. Behind a reverse proxy on the same host every request arrives
from loopback, so a request that came through a proxy (X-Forwarded-For, Forwarded, X-Real-IP)
is never taken as local: the public address cannot read the metrics unless a token is set
and sent. `METRICS_ENABLED=0` turns the page (not the counting) off.

Route labels are route templates (`/api/posts/{post_id}`), read from the route Starlette
matched. What only a mount matched (the production frontend's files and pages, an unknown
path) is `/{path}`, and what answered before any routing (a middleware) is `other`, so a
visitor cannot grow the label set with made-up paths.
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog import metrics
from microblog.config import get_settings

PATH = "/metrics"
EVENT_PATH = "/_event"
UNMATCHED = "other"
_PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def route_template(scope: Scope) -> str:
    """The template of the route that answered (mount prefixes included), or `other`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if route is None or path is None:
        return UNMATCHED
    # Each Mount on the way added its matched prefix to root_path; our mounts have fixed
    # prefixes (/api, ""), so the prefix is the template's too.
    prefix = str(scope.get("root_path", ""))[len(str(scope.get("app_root_path", ""))) :]
    if isinstance(route, Mount):
        return f"{prefix}{path}/{{path}}"
    return f"{prefix}{path}" or "/"


class MetricsMiddleware:
    """Times each HTTP request (until its last byte is sent) and counts the open websockets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope.get("path", "").startswith(EVENT_PATH):
            metrics.WEBSOCKETS.inc()
            try:
                await self.app(scope, receive, send)
            finally:
                metrics.WEBSOCKETS.dec()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client sees if the app raises before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_status)
        finally:
            metrics.REQUEST_SECONDS.labels(
                scope.get("method", ""), route_template(scope), str(status)
            ).observe(time.perf_counter() - started)


def _is_local(request: Request) -> bool:
    if any(name in request.headers for name in _PROXY_HEADERS):
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bearer(headers: Headers) -> str:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def metrics_page(request: Request) -> Response:
    """`GET /metrics`. A plain function: Starlette runs it in a worker thread, since the queue
    depths are read from the database."""
    settings = get_settings()
    if not settings.metrics_enabled:
        return PlainTextResponse("Not Found", status_code=404)
    if settings.metrics_token:
        given, wanted = _bearer(request.headers).encode(), settings.metrics_token.encode()
        if not hmac.compare_digest(given, wanted):
            return PlainTextResponse(
                "Metrics need the bearer token (METRICS_TOKEN).",
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
    elif not _is_local(request):
        return PlainTextResponse(
            "Metrics are served to this machine only, or with METRICS_TOKEN.", status_code=403
        )
    return Response(
        metrics.render(),
        media_type=metrics.CONTENT_TYPE,
        headers={"Cache-Control": "no-store"},
    )
