"""Statuses: post, reply, read, edit (and the versions), delete; the thread around one;
favourite and reblog (our like and boost) and who did. Each is the service call the compose
box, the card's buttons and the thread page make (services/posts.py, reactions.py,
threads.py), so the rules are the same: the length, the spam brake, blocks, notifications,
live updates.

We refuse what we do not have, clearly (422): a visibility other than public (`unlisted` is
taken as public: our posts are all listed), a content warning (`spoiler_text`), polls and
scheduled posts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from microblog.db import session_scope
from microblog.mastodon import entities, present
from microblog.mastodon.accounts import account_id as status_id
from microblog.mastodon.auth import Caller, optional_caller, require_scope
from microblog.mastodon.errors import MastodonError
from microblog.mastodon.forms import form_fields, id_list, optional_id, text_field
from microblog.mastodon.pagination import WindowArgs, link_header
from microblog.services import idempotency, posts, reactions
from microblog.services.errors import Forbidden
from microblog.services.threads import open_thread

router = APIRouter(tags=["mastodon: statuses"])

Reader = Annotated[Caller | None, Depends(optional_caller)]
Writer = Annotated[Caller, Depends(require_scope("write:statuses"))]
StatusReader = Annotated[Caller, Depends(require_scope("read:statuses"))]
Favouriter = Annotated[Caller, Depends(require_scope("write:favourites"))]
Booster = Annotated[Caller, Depends(require_scope("write:statuses"))]

VISIBILITIES = ("public", "unlisted")
DESCENDANTS = 40  # direct replies a context lists (the thread page's first pages)


def _refuse_what_we_lack(fields: dict[str, Any]) -> None:
    visibility = text_field(fields, "visibility") or "public"
    if visibility not in VISIBILITIES:
        raise MastodonError(
            422, f"Validation failed: visibility {visibility!r} is not served: posts are public"
        )
    if text_field(fields, "spoiler_text").strip():
        raise MastodonError(
            422, "Validation failed: content warnings (spoiler_text) are not served"
        )
    if fields.get("poll"):
        raise MastodonError(422, "Validation failed: polls are not served")
    if fields.get("scheduled_at"):
        raise MastodonError(422, "Validation failed: scheduled posts are not served")


@contextmanager
def not_yours_is_not_found() -> Iterator[None]:
    """Someone else's status is "Record not found" to an edit or a delete, as on Mastodon
    (which looks among the caller's own statuses only)."""
    try:
        yield
    except Forbidden:
        raise MastodonError(404, "Record not found") from None


def _status_of(db: Session, post_id: int, viewer_id: int) -> entities.Json:
    return present.status(db, posts.get_post_row(db, post_id=post_id, viewer_id=viewer_id))


@router.post("/api/v1/statuses")
async def create_status(request: Request, caller: Writer) -> JSONResponse:
    """Post (`status`, `media_ids[]`) or reply (`in_reply_to_id`), as the compose box does;
    once per `Idempotency-Key` header of the caller's within the hour (a retry answers the
    status the first request posted: services/idempotency.py)."""
    fields = await form_fields(request)
    _refuse_what_we_lack(fields)
    body = text_field(fields, "status")
    reply_to = optional_id(fields, "in_reply_to_id")
    media_ids = id_list(fields, "media_ids")
    language = text_field(fields, "language")[:5] or None

    key = request.headers.get("idempotency-key")

    def work() -> entities.Json:
        with session_scope() as db:
            post_id, _new = idempotency.create_post_once(
                db,
                idempotency_key=key,
                author_id=caller.user_id,
                body=body,
                language=language,
                reply_to_id=reply_to,
                media_ids=media_ids,
            )
            return _status_of(db, post_id, caller.user_id)

    return JSONResponse(await run_in_threadpool(work))


@router.get("/api/v1/statuses/{post_id}")
def get_status(post_id: str, caller: Reader) -> JSONResponse:
    with session_scope() as db:
        return JSONResponse(_status_of(db, status_id(post_id), caller.user_id if caller else 0))


@router.put("/api/v1/statuses/{post_id}")
async def edit_status(request: Request, post_id: str, caller: Writer) -> JSONResponse:
    """Edit one of your posts (`status`, and `media_ids[]` to change its pictures; alt texts
    through `media_attributes[][id]`/`[description]` are not read: describe with PUT media)."""
    fields = await form_fields(request)
    _refuse_what_we_lack(fields)
    target = status_id(post_id)
    body = text_field(fields, "status")
    media_ids = id_list(fields, "media_ids") if "media_ids" in fields else None

    def work() -> entities.Json:
        with session_scope() as db:
            with not_yours_is_not_found():
                posts.edit_post(
                    db, post_id=target, user_id=caller.user_id, body=body, media_ids=media_ids
                )
            return _status_of(db, target, caller.user_id)

    return JSONResponse(await run_in_threadpool(work))


@router.delete("/api/v1/statuses/{post_id}")
def delete_status(post_id: str, caller: Writer) -> JSONResponse:
    """Delete one of your posts (someone else's: 404); answers the status as it was, with its
    `text` (Mastodon's "delete and redraft")."""
    target = status_id(post_id)
    with session_scope() as db:
        row = posts.get_post_row(db, post_id=target, viewer_id=caller.user_id)
        shown = present.status(db, row)
        with not_yours_is_not_found():
            posts.delete_post(db, post_id=target, user_id=caller.user_id)
    return JSONResponse({**shown, "text": row.body})


@router.get("/api/v1/statuses/{post_id}/source")
def status_source(post_id: str, caller: StatusReader) -> JSONResponse:
    with session_scope() as db:
        row = posts.get_post_row(db, post_id=status_id(post_id), viewer_id=caller.user_id)
        return JSONResponse(entities.source_json(row.id, row.body))


@router.get("/api/v1/statuses/{post_id}/history")
def status_history(post_id: str, caller: Reader) -> JSONResponse:
    """Every version, the first first (ours are listed newest first)."""
    with session_scope() as db:
        row = posts.get_post_row(
            db, post_id=status_id(post_id), viewer_id=caller.user_id if caller else 0
        )
        versions = posts.post_history(db, post_id=row.id)
        author = present.account(db, row.author_id) or present.status(db, row)["account"]
        return JSONResponse([entities.edit_json(v, author) for v in reversed(versions)])


@router.get("/api/v1/statuses/{post_id}/context")
def status_context(post_id: str, caller: Reader) -> JSONResponse:
    """What the status answers (oldest first) and its direct replies (oldest first, the
    first 40: the thread page's first pages)."""
    viewer = caller.user_id if caller else 0
    with session_scope() as db:
        thread = open_thread(
            db, post_id=status_id(post_id), viewer_id=viewer, page=1, per_page=DESCENDANTS
        )
        return JSONResponse(
            entities.context_json(
                present.statuses(db, thread.ancestors), present.statuses(db, thread.replies.items)
            )
        )


def _react(post_id: str, caller: Caller, react: Any) -> JSONResponse:
    target = status_id(post_id)
    with session_scope() as db:
        counts = react(db, user_id=caller.user_id, post_id=target)
        return JSONResponse(_status_of(db, counts.post_id, caller.user_id))


@router.post("/api/v1/statuses/{post_id}/favourite")
def favourite(post_id: str, caller: Favouriter) -> JSONResponse:
    return _react(post_id, caller, reactions.like_post)


@router.post("/api/v1/statuses/{post_id}/unfavourite")
def unfavourite(post_id: str, caller: Favouriter) -> JSONResponse:
    return _react(post_id, caller, reactions.unlike_post)


@router.post("/api/v1/statuses/{post_id}/reblog")
def reblog(post_id: str, caller: Booster) -> JSONResponse:
    """Boost; answers the boost (a status whose `reblog` is the post), as Mastodon does."""
    target = status_id(post_id)
    with session_scope() as db:
        counts = reactions.boost_post(db, user_id=caller.user_id, post_id=target)
        boost = reactions.find_boost(db, user_id=caller.user_id, post_id=counts.post_id)
        row = posts.get_post_row(db, post_id=boost or counts.post_id, viewer_id=caller.user_id)
        return JSONResponse(present.status(db, row))


@router.post("/api/v1/statuses/{post_id}/unreblog")
def unreblog(post_id: str, caller: Booster) -> JSONResponse:
    return _react(post_id, caller, reactions.unboost_post)


def _people(
    request: Request, post_id: str, caller: Caller | None, window: WindowArgs, who: Any
) -> JSONResponse:
    """Who favourited or reblogged, by account id, highest first (the bounds are account
    ids), with a `Link` header."""
    with session_scope() as db:
        posts.get_post_row(
            db, post_id=status_id(post_id), viewer_id=caller.user_id if caller else 0
        )
        ids = who(db, post_id=int(post_id), limit=window.limit, **window.bounds)
        found = present.accounts(db, ids)
        body = [found[i] for i in ids if i in found]
    more = len(ids) == window.limit or (window.min_id is not None and bool(ids))
    return JSONResponse(body, headers=link_header(request, ids, has_next=more))


@router.get("/api/v1/statuses/{post_id}/favourited_by")
def favourited_by(
    request: Request, post_id: str, window: WindowArgs, caller: Reader
) -> JSONResponse:
    return _people(request, post_id, caller, window, reactions.likers)


@router.get("/api/v1/statuses/{post_id}/reblogged_by")
def reblogged_by(
    request: Request, post_id: str, window: WindowArgs, caller: Reader
) -> JSONResponse:
    return _people(request, post_id, caller, window, reactions.boosters)
