"""GET /media/<name>: the pictures of the local store (services/media/store.py), served by the
backend.

A name is a content hash plus an extension, so a file never changes: it is served `immutable`
for a year. Its content type comes from the extension we gave it, never from the bytes, with
`nosniff`, so a browser cannot be talked into reading a picture as a page. Anything but a
well-formed name is a 404 before the disk is touched. With S3 storage, files are read from the
bucket's own address and this route answers 404.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from microblog.services.media.store import (
    CACHE_CONTROL,
    LocalStore,
    MediaMissing,
    content_type_of,
    get_store,
)

router = APIRouter(include_in_schema=False)

MEDIA_PATH = "/media"


@router.api_route(MEDIA_PATH + "/{name}", methods=["GET", "HEAD"])
def media_file(name: str) -> FileResponse:
    store = get_store()
    try:
        content_type = content_type_of(name)
    except MediaMissing:
        raise HTTPException(status_code=404, detail="No such file.") from None
    if not isinstance(store, LocalStore) or not store.exists(name):
        raise HTTPException(status_code=404, detail="No such file.")
    return FileResponse(
        store.path(name),
        media_type=content_type,
        headers={
            "Cache-Control": CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
            # A picture is never a document: if someone opens one as a page, it runs nothing.
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )
