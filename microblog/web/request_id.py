"""A request id for every HTTP request, so the log lines of one request can be found together
(`LOG_FORMAT=json` writes it in each line: microblog/logs.py).

The id is the request's own `X-Request-ID` when it has a sane one (nginx can send its
`$request_id`, so its access log and ours share the id), else a new random one; either way
the answer carries it back in `X-Request-ID`. Only letters, digits and `._-`, at most 64: the
header comes from the client, and it ends up in log lines.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog.logs import request_id

HEADER = "x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(scope: Scope) -> str:
    given = Headers(scope=scope).get(HEADER, "").strip()
    return given if _SANE.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = request_id_of(scope)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = found
            await send(message)

        token = request_id.set(found)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
