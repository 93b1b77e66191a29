"""Notifications: the list (`types[]`, `exclude_types[]`), one, dismiss one, clear all. Our
kinds with a Mastodon type (entities.NOTIFICATION_TYPES) only: follows, replies and mentions
(`mention`), likes (`favourite`) and boosts (`reblog`). A like or boost line stands for its
group (services/notifications.py): Mastodon lists it as its newest like or boost.
Reading the list does not mark anything read (`POST /api/v1/markers` does)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from microblog.db import session_scope
from microblog.mastodon import entities, present
from microblog.mastodon.accounts import account_id as notification_id
from microblog.mastodon.auth import Caller, require_scope
from microblog.mastodon.errors import MastodonError
from microblog.mastodon.pagination import WindowArgs, link_header
from microblog.schemas import NotificationRow
from microblog.services import notifications
from microblog.services.post_rows import cards_by_id

router = APIRouter(tags=["mastodon: notifications"])

Reader = Annotated[Caller, Depends(require_scope("read:notifications"))]
Writer = Annotated[Caller, Depends(require_scope("write:notifications"))]

# Mastodon's types, and our kinds behind each.
KINDS = {
    "follow": ("follower",),
    "mention": ("reply", "mention"),
    "favourite": ("like",),
    "reblog": ("boost",),
}
TypeList = Annotated[list[str], Query()]


def _kinds(types: list[str], exclude_types: list[str]) -> list[str]:
    wanted = [t for t in types if t in KINDS] if types else list(KINDS)
    return [kind for t in wanted if t not in exclude_types for kind in KINDS[t]]


def notification_entities(
    db: Session, rows: list[NotificationRow], viewer_id: int
) -> list[entities.Json]:
    """Their accounts and statuses, a statement each for the page."""
    accounts = present.accounts(db, [row.actor_id for row in rows if row.actor_id])
    cards = cards_by_id(db, [row.post_id for row in rows if row.post_id], viewer_id=viewer_id)
    statuses = dict(zip(cards, present.statuses(db, list(cards.values())), strict=True))
    result = []
    for row in rows:
        account = accounts.get(row.actor_id)
        status = statuses.get(row.post_id)
        if account is None or (row.kind != "follower" and status is None):
            continue  # the actor or the post is gone, or hidden from the reader
        shown = entities.notification_json(row, account, status)
        if shown is not None:
            result.append(shown)
    return result


@router.get("/api/v1/notifications")
def list_notifications(
    request: Request,
    window: WindowArgs,
    caller: Reader,
    types: Annotated[list[str], Query(alias="types[]")] = [],  # noqa: B006 (FastAPI copies it)
    exclude_types: Annotated[list[str], Query(alias="exclude_types[]")] = [],  # noqa: B006
) -> JSONResponse:
    kinds = _kinds(types, exclude_types)
    if not kinds:
        return JSONResponse([])
    with session_scope() as db:
        page = notifications.list_notifications(
            db,
            user_id=caller.user_id,
            page=1,
            per_page=window.limit,
            **window.bounds,
            kinds=kinds,
        )
        body = notification_entities(db, page.items, caller.user_id)
    ids = [row.id for row in page.items]
    return JSONResponse(body, headers=link_header(request, ids, has_next=page.has_next))


@router.get("/api/v1/notifications/{notice_id}")
def get_notification(notice_id: str, caller: Reader) -> JSONResponse:
    wanted = notification_id(notice_id)
    with session_scope() as db:
        page = notifications.list_notifications(
            db,
            user_id=caller.user_id,
            page=1,
            per_page=1,
            max_id=wanted + 1,
            since_id=wanted - 1,
            kinds=[kind for kinds in KINDS.values() for kind in kinds],
        )
        found = notification_entities(db, page.items, caller.user_id)
    if not found:
        raise MastodonError(404, "Record not found")
    return JSONResponse(found[0])


@router.post("/api/v1/notifications/clear")
def clear(caller: Writer) -> JSONResponse:
    with session_scope() as db:
        notifications.clear_notifications(db, user_id=caller.user_id)
    return JSONResponse({})


@router.post("/api/v1/notifications/{notice_id}/dismiss")
def dismiss(notice_id: str, caller: Writer) -> JSONResponse:
    with session_scope() as db:
        notifications.dismiss_notification(
            db, user_id=caller.user_id, notification_id=notification_id(notice_id)
        )
    return JSONResponse({})
