"""gzip for the backend's own answers: page HTML (with its server-drawn first paint), the API's
JSON, and the build's scripts and styles when the backend serves them itself.

Behind the production stack's nginx the pages and JSON come from the workers, and nginx would
compress them too (`gzip_proxied any` in deploy/nginx/microblog.conf.template); but
`reflex run --env prod` and a worker reached without nginx answered uncompressed: `/explore`
with its 25 posts drawn in is 39,973 bytes, 6,017 gzipped (demo data, 2026-12-03). nginx passes
an answer that is already compressed through unchanged, so both layers never compress twice.

Starlette's middleware decides per answer: only when the request says `Accept-Encoding: gzip`,
only above `MINIMUM_BYTES` (below that the header costs more than it saves), never for an answer
that is already encoded, and never for pictures, fonts, archives or event streams (already
compressed or streamed). It adds `Vary: Accept-Encoding`, so a cache keeps both versions.
Websockets pass through untouched.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

MINIMUM_BYTES = 1024
# zlib level 5: within a few per cent of level 9's size at about a third of its CPU (the same
# level as nginx's gzip_comp_level here).
LEVEL = 5


def add_compression(app: FastAPI) -> None:
    app.add_middleware(GZipMiddleware, minimum_size=MINIMUM_BYTES, compresslevel=LEVEL)
