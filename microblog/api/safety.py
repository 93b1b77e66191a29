"""Blocks, mutes, reports and the moderators' endpoints. Every rule is the services'
(services/safety.py, services/moderation.py), the same as the pages': a non-moderator asking
for the queue, an action or the audit log gets the services' Forbidden, a 403."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from microblog.api.auth import BearerCredentials, authorized
from microblog.api.contract import (
    BlockedUserCollection,
    MessagePolicyUpdate,
    ModerationActionCollection,
    ModerationReason,
    MuteCreate,
    ReportCollection,
    ReportCreate,
    ReportOut,
    errors,
)
from microblog.api.params import PagingArgs, existing_id
from microblog.api.routing import JsonRoute
from microblog.models import row_id
from microblog.schemas import BlockedUser, ModerationActionRow, Page, ReportRow, iso_utc
from microblog.services import moderation, safety, users
from microblog.services.errors import Invalid

router = APIRouter(route_class=JsonRoute, tags=["safety"])
moderator_router = APIRouter(route_class=JsonRoute, tags=["moderation"])

_ON_USER = errors(400, 401, 404)
_MODERATOR = errors(400, 401, 403, 404, 409)


def _blocked_json(rows: list[BlockedUser], *, mutes: bool) -> dict[str, object]:
    return {
        "items": [
            {
                "id": row.id,
                "username": row.username,
                "avatar": row.avatar_small,
                "since": row.since,
                **(
                    {
                        "expires_at": row.expires_at or None,
                        "hide_notifications": row.hide_notifications,
                    }
                    if mutes
                    else {}
                ),
            }
            for row in rows
        ]
    }


@router.get("/blocks", response_model=BlockedUserCollection, responses=errors(401))
def get_blocks(credentials: BearerCredentials) -> JSONResponse:
    """Whom you block, newest first."""
    with authorized(credentials) as (db, me):
        return JSONResponse(_blocked_json(safety.list_blocks(db, user_id=row_id(me)), mutes=False))


@router.post("/users/{user_id}/block", status_code=204, responses=_ON_USER)
def block(user_id: int, credentials: BearerCredentials) -> Response:
    """Block a user: follows between you end, neither sees the other's posts, and they cannot
    follow, message, reply to, like or boost you. They are not told. Blocking yourself: 400."""
    with authorized(credentials) as (db, me):
        safety.block_user(db, blocker_id=row_id(me), blocked_id=existing_id(user_id, "user"))
    return Response(status_code=204)


@router.delete("/users/{user_id}/block", status_code=204, responses=_ON_USER)
def unblock(user_id: int, credentials: BearerCredentials) -> Response:
    """Lift a block (204 also when there was none)."""
    with authorized(credentials) as (db, me):
        safety.unblock_user(db, blocker_id=row_id(me), blocked_id=existing_id(user_id, "user"))
    return Response(status_code=204)


@router.get("/mutes", response_model=BlockedUserCollection, responses=errors(401))
def get_mutes(credentials: BearerCredentials) -> JSONResponse:
    """Whom you mute (ended mutes left out), newest first."""
    with authorized(credentials) as (db, me):
        return JSONResponse(_blocked_json(safety.list_mutes(db, user_id=row_id(me)), mutes=True))


@router.post("/users/{user_id}/mute", status_code=204, responses=_ON_USER)
def mute(user_id: int, data: MuteCreate, credentials: BearerCredentials) -> Response:
    """Mute a user, for `duration_seconds` or until you unmute: their posts and boosts leave
    your feeds (and, with `hide_notifications`, their notifications). Muting again replaces
    the mute. They are not told."""
    with authorized(credentials) as (db, me):
        safety.mute_user(
            db,
            muter_id=row_id(me),
            muted_id=existing_id(user_id, "user"),
            seconds=data.duration_seconds,
            hide_notifications=data.hide_notifications,
        )
    return Response(status_code=204)


@router.delete("/users/{user_id}/mute", status_code=204, responses=_ON_USER)
def unmute(user_id: int, credentials: BearerCredentials) -> Response:
    """Lift a mute (204 also when there was none)."""
    with authorized(credentials) as (db, me):
        safety.unmute_user(db, muter_id=row_id(me), muted_id=existing_id(user_id, "user"))
    return Response(status_code=204)


@router.post("/posts/{post_id}/conversation/mute", status_code=204, responses=_ON_USER)
def mute_conversation(post_id: int, credentials: BearerCredentials) -> Response:
    """Mute the conversation this post is in: its replies and mentions no longer notify you."""
    with authorized(credentials) as (db, me):
        safety.mute_conversation(db, user_id=row_id(me), post_id=existing_id(post_id, "post"))
    return Response(status_code=204)


@router.delete("/posts/{post_id}/conversation/mute", status_code=204, responses=_ON_USER)
def unmute_conversation(post_id: int, credentials: BearerCredentials) -> Response:
    with authorized(credentials) as (db, me):
        safety.unmute_conversation(db, user_id=row_id(me), post_id=existing_id(post_id, "post"))
    return Response(status_code=204)


@router.put("/settings/message-policy", status_code=204, responses=errors(400, 401))
def set_message_policy(data: MessagePolicyUpdate, credentials: BearerCredentials) -> Response:
    """Who may send you private messages."""
    with authorized(credentials) as (db, me):
        safety.set_message_policy(db, user_id=row_id(me), policy=data.message_policy)
    return Response(status_code=204)


def _report_json(row: ReportRow) -> dict[str, object]:
    found = asdict(row)
    for key in ("outcome", "resolved_at", "resolver"):
        found[key] = found[key] or None
    return found


@router.post("/reports", status_code=201, response_model=ReportOut, responses=_ON_USER)
def create_report(data: ReportCreate, credentials: BearerCredentials) -> JSONResponse:
    """Report a post (`post_id`) or an account (`user_id`) to the moderators; you get a
    notification now and another when a moderator resolves it."""
    with authorized(credentials) as (db, me):
        if (data.post_id is None) == (data.user_id is None):
            raise Invalid({"post_id": "Give either post_id or user_id."})
        if data.post_id is not None:
            report = safety.report_post(
                db,
                reporter_id=row_id(me),
                post_id=existing_id(data.post_id, "post"),
                reason=data.reason,
                comment=data.comment,
            )
        else:
            report = safety.report_account(
                db,
                reporter_id=row_id(me),
                user_id=existing_id(data.user_id or 0, "user"),
                reason=data.reason,
                comment=data.comment,
            )
        return JSONResponse(
            {
                "id": row_id(report),
                "reporter": me.username,
                "target": users.get_user(db, report.target_user_id).username,
                "target_id": report.target_user_id,
                "post_id": report.post_id,
                "reason": report.reason,
                "comment": report.comment,
                "status": report.status,
                "outcome": None,
                "created": iso_utc(report.created),
                "resolved_at": None,
                "resolver": None,
            },
            status_code=201,
        )


def _page_json(
    page: Page[ReportRow] | Page[ModerationActionRow], item: Callable[[Any], dict[str, Any]]
) -> dict[str, object]:
    return {
        "items": [item(row) for row in page.items],
        "page": page.page,
        "per_page": page.per_page,
        "has_next": page.has_next,
    }


@moderator_router.get(
    "/moderation/reports", response_model=ReportCollection, responses=errors(401, 403)
)
def get_open_reports(
    paging: PagingArgs,
    credentials: BearerCredentials,
    after: Annotated[
        int | None,
        Query(ge=1, description="Keyset: the open reports made after this one (`next_after`)."),
    ] = None,
) -> JSONResponse:
    """The queue: open reports, oldest first (moderators only). Page through it with `after`
    (the `next_after` of the previous page); `page` is for the first pages only."""
    with authorized(credentials) as (db, me):
        if after is None:
            page = moderation.list_open_reports(
                db, moderator_id=row_id(me), page=paging.page, per_page=paging.per_page
            )
            found = _page_json(page, _report_json)
            found["next_after"] = page.items[-1].id if page.has_next and page.items else None
            return JSONResponse(found)
        items, following = moderation.open_reports_after(
            db, moderator_id=row_id(me), after_id=after, per_page=paging.per_page
        )
        return JSONResponse(
            {
                "items": [_report_json(row) for row in items],
                "page": 1,
                "per_page": paging.per_page,
                "has_next": following is not None,
                "next_after": following,
            }
        )


@moderator_router.post(
    "/moderation/reports/{report_id}/dismiss", status_code=204, responses=_MODERATOR
)
def dismiss_report(
    report_id: int, data: ModerationReason, credentials: BearerCredentials
) -> Response:
    """Close a report without action (the reporter is told it was reviewed)."""
    with authorized(credentials) as (db, me):
        moderation.dismiss_report(
            db,
            moderator_id=row_id(me),
            report_id=existing_id(report_id, "report"),
            reason=data.reason,
        )
    return Response(status_code=204)


@moderator_router.post(
    "/moderation/reports/{report_id}/reopen", status_code=204, responses=_MODERATOR
)
def reopen_report(
    report_id: int, data: ModerationReason, credentials: BearerCredentials
) -> Response:
    """Undo a dismissal: the report is open again, back in the queue."""
    with authorized(credentials) as (db, me):
        moderation.reopen_report(
            db,
            moderator_id=row_id(me),
            report_id=existing_id(report_id, "report"),
            reason=data.reason,
        )
    return Response(status_code=204)


@moderator_router.put("/moderation/moderators/{user_id}", status_code=204, responses=_MODERATOR)
def grant_moderator(user_id: int, credentials: BearerCredentials) -> Response:
    """Make the account a moderator (administrators only; recorded in the audit log)."""
    with authorized(credentials) as (db, me):
        moderation.set_moderator(
            db, user_id=existing_id(user_id, "user"), moderator=True, granted_by=row_id(me)
        )
    return Response(status_code=204)


@moderator_router.delete("/moderation/moderators/{user_id}", status_code=204, responses=_MODERATOR)
def revoke_moderator(user_id: int, credentials: BearerCredentials) -> Response:
    """Take the moderator role back (administrators only; recorded in the audit log)."""
    with authorized(credentials) as (db, me):
        moderation.set_moderator(
            db, user_id=existing_id(user_id, "user"), moderator=False, granted_by=row_id(me)
        )
    return Response(status_code=204)


@moderator_router.post("/moderation/posts/{post_id}/hide", status_code=204, responses=_MODERATOR)
def hide_post(post_id: int, data: ModerationReason, credentials: BearerCredentials) -> Response:
    """Hide a post from everyone but its author, who is told why."""
    with authorized(credentials) as (db, me):
        moderation.hide_post(
            db,
            moderator_id=row_id(me),
            post_id=existing_id(post_id, "post"),
            reason=data.reason,
            report_id=_report_id(data),
        )
    return Response(status_code=204)


@moderator_router.delete("/moderation/posts/{post_id}/hide", status_code=204, responses=_MODERATOR)
def unhide_post(post_id: int, credentials: BearerCredentials) -> Response:
    with authorized(credentials) as (db, me):
        moderation.unhide_post(db, moderator_id=row_id(me), post_id=existing_id(post_id, "post"))
    return Response(status_code=204)


def _report_id(data: ModerationReason) -> int | None:
    return None if data.report_id is None else existing_id(data.report_id, "report")


@moderator_router.post("/moderation/users/{user_id}/limit", status_code=204, responses=_MODERATOR)
def limit_account(user_id: int, data: ModerationReason, credentials: BearerCredentials) -> Response:
    """Keep the account's posts out of Explore, tags and search for non-followers."""
    with authorized(credentials) as (db, me):
        moderation.limit_account(
            db,
            moderator_id=row_id(me),
            user_id=existing_id(user_id, "user"),
            reason=data.reason,
            report_id=_report_id(data),
        )
    return Response(status_code=204)


@moderator_router.delete("/moderation/users/{user_id}/limit", status_code=204, responses=_MODERATOR)
def unlimit_account(user_id: int, credentials: BearerCredentials) -> Response:
    with authorized(credentials) as (db, me):
        moderation.unlimit_account(
            db, moderator_id=row_id(me), user_id=existing_id(user_id, "user")
        )
    return Response(status_code=204)


@moderator_router.post("/moderation/users/{user_id}/suspend", status_code=204, responses=_MODERATOR)
def suspend_account(
    user_id: int, data: ModerationReason, credentials: BearerCredentials
) -> Response:
    """Suspend the account: no login, its sessions and API tokens end, its posts are hidden."""
    with authorized(credentials) as (db, me):
        moderation.suspend_account(
            db,
            moderator_id=row_id(me),
            user_id=existing_id(user_id, "user"),
            reason=data.reason,
            report_id=_report_id(data),
        )
    return Response(status_code=204)


@moderator_router.delete(
    "/moderation/users/{user_id}/suspend", status_code=204, responses=_MODERATOR
)
def unsuspend_account(user_id: int, credentials: BearerCredentials) -> Response:
    with authorized(credentials) as (db, me):
        moderation.unsuspend_account(
            db, moderator_id=row_id(me), user_id=existing_id(user_id, "user")
        )
    return Response(status_code=204)


@moderator_router.get(
    "/moderation/log", response_model=ModerationActionCollection, responses=errors(400, 401, 403)
)
def get_audit_log(
    paging: PagingArgs,
    credentials: BearerCredentials,
    user_id: Annotated[int | None, Query(description="Only actions on this account.")] = None,
    before: Annotated[
        int | None,
        Query(ge=1, description="Keyset: the actions older than this action id (`next_before`)."),
    ] = None,
) -> JSONResponse:
    """The audit log, newest first (moderators only). Page through it with `before` (the
    `next_before` of the previous page); `page` is for the first pages only."""
    with authorized(credentials) as (db, me):
        if before is None:
            page = moderation.audit_log(
                db,
                moderator_id=row_id(me),
                page=paging.page,
                per_page=paging.per_page,
                target_user_id=user_id,
            )
            lines, has_next = page.items, page.has_next
        else:
            lines, following = moderation.audit_log_before(
                db,
                moderator_id=row_id(me),
                before_id=before,
                per_page=paging.per_page,
                target_user_id=user_id,
            )
            has_next = following is not None
        return JSONResponse(
            {
                "items": [asdict(line) for line in lines],
                "page": paging.page if before is None else 1,
                "per_page": paging.per_page,
                "has_next": has_next,
                "next_before": lines[-1].id if has_next and lines else None,
            }
        )
