"""Markers and preferences. The `notifications` marker is our read marker (the badge counts
above it): reading it, or moving it forward, is what the Notifications page does. We keep no
`home` marker: it is never listed, and one sent is not stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from microblog.db import session_scope
from microblog.mastodon import entities
from microblog.mastodon.auth import Caller, require_scope
from microblog.mastodon.errors import MastodonError
from microblog.mastodon.forms import form_fields
from microblog.models import utcnow
from microblog.schemas import iso_utc
from microblog.services import notifications, users

router = APIRouter(tags=["mastodon: markers"])

Reader = Annotated[Caller, Depends(require_scope("read:statuses"))]
Writer = Annotated[Caller, Depends(require_scope("write:statuses"))]
AccountReader = Annotated[Caller, Depends(require_scope("read:accounts"))]


def _markers(user_id: int, asked: list[str]) -> entities.Json:
    with session_scope() as db:
        marker = users.get_user(db, user_id).last_notification_read_id
    if asked and "notifications" not in asked:
        return {}
    return {"notifications": entities.marker_json(marker, iso_utc(utcnow()))}


@router.get("/api/v1/markers")
def get_markers(
    caller: Reader,
    timeline: Annotated[list[str], Query(alias="timeline[]")] = [],  # noqa: B006
) -> JSONResponse:
    return JSONResponse(_markers(caller.user_id, timeline))


def _last_read_id(fields: dict[str, Any]) -> int | None:
    """`notifications[last_read_id]` (a form) or `{"notifications": {"last_read_id": ..}}`."""
    value = fields.get("notifications[last_read_id]")
    nested = fields.get("notifications")
    if value is None and isinstance(nested, dict):
        value = nested.get("last_read_id")
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise MastodonError(422, "Validation failed: last_read_id must be an id")
    return min(int(text), 2**31 - 1)


@router.post("/api/v1/markers")
async def set_markers(request: Request, caller: Writer) -> JSONResponse:
    fields = await form_fields(request)
    wanted = _last_read_id(fields)

    def work() -> entities.Json:
        if wanted is not None:
            with session_scope() as db:
                notifications.mark_read_up_to(db, user_id=caller.user_id, last_read_id=wanted)
        return _markers(caller.user_id, ["notifications"])

    return JSONResponse(await run_in_threadpool(work))


@router.get("/api/v1/preferences")
def preferences(caller: AccountReader) -> JSONResponse:
    with session_scope() as db:
        language = users.get_user(db, caller.user_id).language
    return JSONResponse(entities.preferences_json(language))
