"""A limit on the websocket connections one client address holds open at once, per backend
worker (`WS_CONNECTIONS_PER_ADDRESS`, default 40).

Every open tab holds one connection and a state on the server; without a limit one address
could open thousands. A connection over the limit is refused before the handshake completes
(HTTP 403), and the limit frees up as soon as a connection closes. The address is the client's
as microblog/client_address.py reads it (the peer, or behind trusted proxies the one they name).
"""

from __future__ import annotations

import logging
from collections import Counter

from starlette.types import ASGIApp, Receive, Scope, Send

from microblog.client_address import client_address
from microblog.config import get_settings
from microblog.logs import LineLimiter, log_limited

log = logging.getLogger(__name__)
_refusals = LineLimiter(10)

EVENT_PATH = "/_event"


def scope_client_ip(scope: Scope) -> str:
    client = scope.get("client")
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers") or []
        if name.lower() == b"x-forwarded-for"
    ]
    return client_address(str(client[0]) if client else None, forwarded)


class ConnectionLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.open: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or not scope.get("path", "").startswith(EVENT_PATH):
            await self.app(scope, receive, send)
            return
        limit = self.limit or get_settings().ws_connections_per_address
        address = scope_client_ip(scope)
        if self.open[address] >= limit:
            log_limited(
                log,
                _refusals,
                logging.WARNING,
                "Refused a websocket from %s: %d already open",
                address,
                limit,
            )
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        self.open[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open[address] -= 1
            if self.open[address] <= 0:
                del self.open[address]
