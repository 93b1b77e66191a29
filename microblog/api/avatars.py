"""Your avatar: upload a picture (`PUT /api/users/me/avatar`, multipart/form-data, the field
`file`) or go back to your Gravatar (`DELETE`). Both answer with your user, whose
`_links.avatar` is the new picture; the open pages that draw you are updated live.

The same service as Edit profile (services/avatars.py): the picture is checked, cleaned of its
metadata, centre-cropped to a square and re-encoded. Handlers are plain `def` (FastAPI's thread
pool), since decoding a picture takes a while.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse

from microblog.api.auth import BearerCredentials, authorized
from microblog.api.contract import UserOut, errors
from microblog.api.errors import ApiError
from microblog.api.representations import one_user_json
from microblog.api.routing import JsonRoute, UploadRoute, too_large_upload
from microblog.config import get_settings
from microblog.models import row_id
from microblog.schemas import UserPublic
from microblog.services import avatars

router = APIRouter(route_class=JsonRoute, tags=["users"])
upload_router = APIRouter(route_class=UploadRoute, tags=["users"])

_PICTURE_ERRORS = errors(
    401,
    examples={
        400: (
            "The file is not a JPEG, PNG, WebP or GIF picture, is damaged, or has too many "
            "pixels (`MEDIA_MAX_PIXELS`); or there is no field `file`.",
            "This file is not a picture we take: JPEG, PNG, WebP or GIF only.",
        ),
        413: ("The picture is larger than `MEDIA_MAX_BYTES`.", "The picture is larger than 10 MB."),
        415: (
            "The body is not multipart/form-data.",
            "Send the picture as multipart/form-data, in the field file.",
        ),
        503: (
            "The media storage could not take the picture; nothing changed.",
            "Pictures cannot be stored right now. Please try again later.",
        ),
    },
)


@upload_router.put("/users/me/avatar", response_model=UserOut, responses=_PICTURE_ERRORS)
def put_avatar(
    file: Annotated[UploadFile, File(description="A JPEG, PNG, WebP or GIF picture.")],
    credentials: BearerCredentials,
) -> JSONResponse:
    """Make this picture your avatar: cropped to a square from its centre, re-encoded without
    its metadata (EXIF, GPS), in two sizes. Replaces your previous picture."""
    with authorized(credentials) as (db, me):
        data = file.file.read(get_settings().media_max_bytes + 1)
        if len(data) > get_settings().media_max_bytes:
            raise ApiError(413, too_large_upload())
        user = avatars.set_avatar(db, user_id=row_id(me), data=data)
        return JSONResponse(one_user_json(db, UserPublic.of(user), email=user.email))


@router.delete("/users/me/avatar", response_model=UserOut, responses=errors(401))
def delete_avatar(credentials: BearerCredentials) -> JSONResponse:
    """Remove your uploaded picture: your Gravatar shows again. Answers the same when you
    had none."""
    with authorized(credentials) as (db, me):
        user = avatars.remove_avatar(db, user_id=row_id(me))
        return JSONResponse(one_user_json(db, UserPublic.of(user), email=user.email))
