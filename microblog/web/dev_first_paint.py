"""The first paint under `make run`, so a change to what the server draws is seen where it is
made, not first in a production build.

In production the backend serves the pages and writes the first paint into their HTML
(first_paint.py). The dev server's pages come from the frontend dev server instead, which the
backend cannot write into. So in development (`MICROBLOG_ENV=development`, `make run`) the page
asks for it: assets/dev_first_paint.js fetches `/_dev/first-paint` for the page's address, with
the reader's cookie, and puts what the server drew into the page's placeholders, as the
production HTML would have them, until the live page replaces them.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from microblog.web.first_paint import drawing_for, first_paint

PATH = "/_dev/first-paint"
SCRIPT = "/dev_first_paint.js"

router = APIRouter(include_in_schema=False)


@router.get(PATH)
async def dev_first_paint(request: Request, path: str = "/") -> JSONResponse:
    """{"content": the page's posts or profile (or null), "nav": the navbar's links}, as the
    production page for `path` (with its query) would carry them for this reader."""
    address, _, query = path.partition("?")
    draw = drawing_for(address)
    painted = (
        await first_paint(
            draw,
            path=address,
            query_string=query,
            cookie=request.headers.get("cookie", ""),
            accept_language=request.headers.get("accept-language"),
        )
        if draw is not None
        else None
    )
    body = {"content": painted.content, "nav": painted.nav} if painted else {"content": None}
    return JSONResponse(body, headers={"Cache-Control": "private, no-store"})
