"""Pictures: `POST /api/v2/media` (and v1) with `file` and `description` (the alt text), read
and describe one of yours. The upload pipeline is services/media/'s, the compose box's: every
picture is decoded and written again without its metadata; what is not a JPEG, PNG, WebP or
GIF, or too big, is refused (422). v2 answers 200 at once: we process while receiving."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from microblog.api.routing import UploadRoute
from microblog.config import get_settings
from microblog.db import session_scope
from microblog.mastodon import entities, present
from microblog.mastodon.accounts import account_id as media_id_of
from microblog.mastodon.auth import Caller, require_scope
from microblog.mastodon.errors import MastodonError
from microblog.mastodon.forms import form_fields, text_field
from microblog.models import row_id
from microblog.schemas import MediaRow
from microblog.services.media import attachments

router = APIRouter(tags=["mastodon: media"])
# Uploads: a body over the picture limit is a 413 before it is read on, and one that is not
# multipart/form-data a 415 (our API's route class, microblog/api/routing.py).
upload_router = APIRouter(route_class=UploadRoute, tags=["mastodon: media"])

Uploader = Annotated[Caller, Depends(require_scope("write:media"))]
FORM_OVERHEAD = 64 * 1024


def _upload(request: Request, file: UploadFile, description: str, caller: Caller) -> JSONResponse:
    limit = get_settings().media_max_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise MastodonError(413, f"The picture is larger than {limit // 1_048_576} MiB")
    data = file.file.read(limit + 1)
    with session_scope() as db:
        try:
            row = attachments.upload_media(
                db, user_id=caller.user_id, data=data, filename=file.filename or ""
            )
        except attachments.MediaUnavailable:
            raise MastodonError(503, "Pictures cannot be stored right now") from None
        if description:
            row = attachments.describe_media(
                db, user_id=caller.user_id, media_id=row_id(row), alt_text=description
            )
        return JSONResponse(entities.media_json(MediaRow.of(row), base=present.site()))


@upload_router.post("/api/v2/media")
def upload_v2(
    request: Request,
    file: Annotated[UploadFile, File()],
    caller: Uploader,
    description: Annotated[str, Form(max_length=1500)] = "",
) -> JSONResponse:
    return _upload(request, file, description, caller)


@upload_router.post("/api/v1/media")
def upload_v1(
    request: Request,
    file: Annotated[UploadFile, File()],
    caller: Uploader,
    description: Annotated[str, Form(max_length=1500)] = "",
) -> JSONResponse:
    return _upload(request, file, description, caller)


@router.get("/api/v1/media/{media_id}")
def get_media(media_id: str, caller: Uploader) -> JSONResponse:
    """One of your pictures (anyone else's: 404)."""
    with session_scope() as db:
        row = attachments.own_media(db, user_id=caller.user_id, media_id=media_id_of(media_id))
        return JSONResponse(entities.media_json(MediaRow.of(row), base=present.site()))


@router.put("/api/v1/media/{media_id}")
async def describe_media(request: Request, media_id: str, caller: Uploader) -> JSONResponse:
    """Set the alt text (`description`) of one of your pictures, posted or not (`focus` and a
    new `thumbnail` are not served)."""
    fields = await form_fields(request)
    target = media_id_of(media_id)
    description = text_field(fields, "description")

    def work() -> JSONResponse:
        with session_scope() as db:
            row = attachments.describe_media(
                db, user_id=caller.user_id, media_id=target, alt_text=description
            )
            return JSONResponse(entities.media_json(MediaRow.of(row), base=present.site()))

    return await run_in_threadpool(work)
