"""Pictures: upload one (`POST /api/media`, multipart, as Mastodon's `POST /api/v2/media`),
describe it (`PUT /api/media/<id>`, its alt text), read or discard it; then name it in
`media_ids` when posting. The rules are services/media/'s, the same as the compose box's:
every upload is decoded and written again, without its metadata, and refused with a 400 if it
is not really a JPEG, PNG, WebP or GIF, or too big, or has too many pixels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from microblog.api.auth import BearerCredentials, authorized
from microblog.api.contract import MediaOut, MediaUpdate, errors
from microblog.api.errors import ApiError
from microblog.api.params import existing_id
from microblog.api.representations import API_PREFIX, media_json
from microblog.api.routing import JsonRoute
from microblog.config import get_settings
from microblog.models import row_id
from microblog.schemas import MediaRow
from microblog.services.media import attachments

router = APIRouter(tags=["media"])
json_router = APIRouter(route_class=JsonRoute, tags=["media"])

FORM_OVERHEAD = 64 * 1024  # multipart boundaries, headers and a description beside the file


def _limit() -> int:
    return get_settings().media_max_bytes


@router.post(
    "/media",
    status_code=201,
    response_model=MediaOut,
    responses=errors(
        400,
        401,
        413,
        503,
        examples={
            400: (
                "Not a picture (an HTML or SVG file, say), damaged, too big or with too many "
                "pixels; or too many of your pictures wait for a post.",
                "This file is not a picture we take: JPEG, PNG, WebP or GIF only.",
            ),
            413: ("The request is far larger than MEDIA_MAX_BYTES.", "The picture is too big."),
        },
    ),
)
def upload_media(
    request: Request,
    file: Annotated[UploadFile, File(description="A JPEG, PNG, WebP or GIF.")],
    credentials: BearerCredentials,
    description: Annotated[str, Form(description="Alt text (optional).", max_length=1500)] = "",
) -> JSONResponse:
    """Upload a picture (multipart/form-data, field `file`; at most MEDIA_MAX_BYTES, 10 MiB
    unless the site says otherwise). It is yours until a post takes it; one never posted is
    deleted after a day. 201 with the picture and a `Location` header."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > _limit() + FORM_OVERHEAD:
        raise ApiError(413, f"The picture is larger than {_limit() // 1_048_576} MiB.")
    data = file.file.read(_limit() + 1)
    with authorized(credentials) as (db, me):
        try:
            row = attachments.upload_media(
                db, user_id=row_id(me), data=data, filename=file.filename or ""
            )
        except attachments.MediaUnavailable:
            raise ApiError(503, "Pictures cannot be stored right now. Try again later.") from None
        if description:
            row = attachments.describe_media(
                db, user_id=row_id(me), media_id=row_id(row), alt_text=description
            )
        body = media_json(MediaRow.of(row))
    return JSONResponse(
        body, status_code=201, headers={"Location": f"{API_PREFIX}/media/{body['id']}"}
    )


@router.get("/media/{media_id}", response_model=MediaOut, responses=errors(400, 401, 404))
def get_media(media_id: int, credentials: BearerCredentials) -> JSONResponse:
    """One of your pictures (anyone else's is a 404; theirs are on their posts)."""
    with authorized(credentials) as (db, me):
        row = attachments.own_media(
            db, user_id=row_id(me), media_id=existing_id(media_id, "picture")
        )
        return JSONResponse(media_json(MediaRow.of(row)))


@json_router.put(
    "/media/{media_id}",
    response_model=MediaOut,
    responses=errors(400, 401, 404, 413, 415),
)
def describe_media(
    media_id: int, data: MediaUpdate, credentials: BearerCredentials
) -> JSONResponse:
    """Set the alt text of one of your pictures, posted or not; a posted one's post shows the
    new text live on open pages, and search finds it."""
    with authorized(credentials) as (db, me):
        row = attachments.describe_media(
            db,
            user_id=row_id(me),
            media_id=existing_id(media_id, "picture"),
            alt_text=data.description,
        )
        return JSONResponse(media_json(MediaRow.of(row)))


@router.delete("/media/{media_id}", status_code=204, responses=errors(400, 401, 404))
def discard_media(media_id: int, credentials: BearerCredentials) -> Response:
    """Discard one of your pictures that is on no post yet (400 for a posted one: edit the
    post's `media_ids` instead)."""
    with authorized(credentials) as (db, me):
        attachments.discard_media(db, user_id=row_id(me), media_id=existing_id(media_id, "picture"))
    return Response(status_code=204)
