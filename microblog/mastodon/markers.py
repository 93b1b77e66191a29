"""Markers and preferences. The `notifications` marker is our read marker (the badge counts
above it): reading it, or moving it forward, is what the Notifications page does. The `home`
marker is where the reader stopped in the home timeline, stored per user for the clients
(services/timeline_markers.py): it moves wherever the client puts it."""

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
from microblog.services import notifications, timeline_markers, users

router = APIRouter(tags=["mastodon: markers"])

Reader = Annotated[Caller, Depends(require_scope("read:statuses"))]
Writer = Annotated[Caller, Depends(require_scope("write:statuses"))]
AccountReader = Annotated[Caller, Depends(require_scope("read:accounts"))]

TIMELINES = ("home", "notifications")


def _markers(user_id: int, asked: list[str]) -> entities.Json:
    """The markers of `asked` (every one when empty) the user has: `notifications` always,
    `home` once a client has set it."""
    wanted = [name for name in (asked or TIMELINES) if name in TIMELINES]
    answer: entities.Json = {}
    with session_scope() as db:
        stored = timeline_markers.get_markers(db, user_id=user_id, timelines=wanted)
        if "notifications" in wanted:
            read_up_to = users.get_user(db, user_id).last_notification_read_id
            answer["notifications"] = entities.marker_json(read_up_to, iso_utc(utcnow()))
    for name, marker in stored.items():
        answer[name] = entities.marker_json(
            marker.last_read_id, iso_utc(marker.updated_at), marker.version
        )
    return answer


@router.get("/api/v1/markers")
def get_markers(
    caller: Reader,
    timeline: Annotated[list[str], Query(alias="timeline[]")] = [],  # noqa: B006
) -> JSONResponse:
    return JSONResponse(_markers(caller.user_id, timeline))


def _last_read_id(fields: dict[str, Any], timeline: str) -> int | None:
    """`<timeline>[last_read_id]` (a form) or `{"<timeline>": {"last_read_id": ..}}`."""
    value = fields.get(f"{timeline}[last_read_id]")
    nested = fields.get(timeline)
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
    """Set `home[last_read_id]` and/or `notifications[last_read_id]`; answers the markers
    sent."""
    fields = await form_fields(request)
    wanted = {name: _last_read_id(fields, name) for name in TIMELINES}
    sent = [name for name, value in wanted.items() if value is not None]

    def work() -> entities.Json:
        with session_scope() as db:
            if (home := wanted["home"]) is not None:
                timeline_markers.set_marker(
                    db, user_id=caller.user_id, timeline="home", last_read_id=home
                )
            if (read := wanted["notifications"]) is not None:
                notifications.mark_read_up_to(db, user_id=caller.user_id, last_read_id=read)
        return _markers(caller.user_id, sent or ["notifications"])

    return JSONResponse(await run_in_threadpool(work))


@router.get("/api/v1/preferences")
def preferences(caller: AccountReader) -> JSONResponse:
    with session_scope() as db:
        language = users.get_user(db, caller.user_id).language
    return JSONResponse(entities.preferences_json(language))
