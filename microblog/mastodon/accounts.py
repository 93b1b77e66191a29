"""Accounts: read one, its statuses, followers and following, look one up or search; follow,
block and mute (the services the profile page's buttons call: services/follows.py,
services/safety.py), and the relationships the buttons show."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from microblog.db import session_scope
from microblog.mastodon import entities, present
from microblog.mastodon.auth import Caller, optional_caller, require_scope
from microblog.mastodon.errors import MastodonError
from microblog.mastodon.forms import form_fields
from microblog.mastodon.pagination import MAX_LIMIT, WindowArgs, link_header
from microblog.schemas import UserPublic
from microblog.services import follows, posts, safety, users
from microblog.services.pagination import MAX_PAGE
from microblog.services.search import search_users

router = APIRouter(tags=["mastodon: accounts"])

Reader = Annotated[Caller | None, Depends(optional_caller)]
Follower = Annotated[Caller, Depends(require_scope("write:follows"))]
Blocker = Annotated[Caller, Depends(require_scope("write:blocks"))]
Muter = Annotated[Caller, Depends(require_scope("write:mutes"))]
AccountReader = Annotated[Caller, Depends(require_scope("read:accounts"))]
FollowReader = Annotated[Caller, Depends(require_scope("read:follows"))]


def account_id(value: str) -> int:
    """A path id: a number that can name a row, else "Record not found"."""
    if not value.isdigit() or not 1 <= int(value) < 2**31:
        raise MastodonError(404, "Record not found")
    return int(value)


def _account_or_404(db: Session, user_id: int) -> entities.Json:
    found = present.account(db, user_id)
    if found is None:
        raise MastodonError(404, "Record not found")
    return found


@router.get("/api/v1/accounts/lookup")
def lookup(acct: str, caller: Reader) -> JSONResponse:
    """An account by its username (`acct`, with or without a leading @ or our own domain)."""
    name = acct.strip().lstrip("@").split("@", 1)[0]
    with session_scope() as db:
        found = users.public_users_by_name(db, usernames=[name])
        if not found:
            raise MastodonError(404, "Record not found")
        return JSONResponse(present.accounts_of(db, found)[found[0].id])


@router.get("/api/v1/accounts/search")
def search(
    caller: AccountReader,
    q: str,
    limit: Annotated[int, Query(ge=1)] = 40,
) -> JSONResponse:
    """Accounts whose username starts with a word of `q` (the search page's rule)."""
    with session_scope() as db:
        hits = search_users(db, q=q, limit=min(limit, MAX_LIMIT))
        faces = users.public_users_by_name(db, usernames=[hit.username for hit in hits])
        found = present.accounts_of(db, faces)
        return JSONResponse([found[face.id] for face in faces])


@router.get("/api/v1/accounts/relationships")
def relationships(
    caller: FollowReader,
    ids: Annotated[list[str], Query(alias="id[]")] = [],  # noqa: B006 (FastAPI copies it)
    id_: Annotated[list[str], Query(alias="id")] = [],  # noqa: B006
) -> JSONResponse:
    """How the caller stands with each account in `id[]`."""
    wanted = [int(i) for i in [*ids, *id_] if i.isdigit() and int(i) < 2**31][:MAX_LIMIT]
    with session_scope() as db:
        found = safety.relationships(db, user_id=caller.user_id, other_ids=wanted)
        return JSONResponse([entities.relationship_json(r) for r in found])


@router.get("/api/v1/accounts/{user_id}")
def get_account(user_id: str, caller: Reader) -> JSONResponse:
    with session_scope() as db:
        return JSONResponse(_account_or_404(db, account_id(user_id)))


@router.get("/api/v1/accounts/{user_id}/statuses")
def account_statuses(
    request: Request,
    user_id: str,
    window: WindowArgs,
    caller: Reader,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    only_media: bool = False,
    pinned: bool = False,
) -> JSONResponse:
    """The account's posts and boosts, newest first (the profile's list). `pinned`: none (we
    have no pinned posts); `exclude_replies`, `exclude_reblogs`, `only_media` filter the page
    read (so a filtered page may be short; `next` goes on from the last entry read)."""
    viewer = caller.user_id if caller else 0
    with session_scope() as db:
        _account_or_404(db, account_id(user_id))
        if pinned:
            return JSONResponse([])
        page = posts.user_posts(
            db,
            user_id=int(user_id),
            page=1,
            per_page=window.limit,
            viewer_id=viewer,
            **window.bounds,
        )
        read = present.entry_ids(page.items)
        rows = [
            row
            for row in page.items
            if not (exclude_replies and row.reply_to_id)
            and not (exclude_reblogs and row.entry_id and row.entry_id != row.id)
            and not (only_media and not row.media)
        ]
        body = present.statuses(db, rows)
    return JSONResponse(body, headers=link_header(request, read, has_next=page.has_next))


def _people(request: Request, user_id: str, window: WindowArgs, listing: object) -> JSONResponse:
    """Followers or following, most recent first. Their cursors are page numbers (opaque to
    clients, as Mastodon's follow ids are): `max_id=n` reads page n (`next`), `min_id=n` the
    page above page n (`prev`), `since_id` the first page."""
    if window.min_id is not None:
        number = max(min(window.min_id, MAX_PAGE) - 1, 1)
    elif window.max_id is not None and window.since_id is None:
        number = min(max(window.max_id, 1), MAX_PAGE)
    else:
        number = 1
    with session_scope() as db:
        _account_or_404(db, account_id(user_id))
        page = listing(db, user_id=int(user_id), page=number, per_page=window.limit)  # type: ignore[operator]
        faces: list[UserPublic] = page.items
        found = present.accounts_of(db, faces)
        body = [found[face.id] for face in faces if face.id in found]
    headers = {}
    if faces:
        base = str(request.url.replace(query=""))
        links = [f'<{base}?max_id={number + 1}&limit={window.limit}>; rel="next"']
        if not page.has_next:
            links = []
        if number > 1:
            links.append(f'<{base}?min_id={number}&limit={window.limit}>; rel="prev"')
        if links:
            headers["Link"] = ", ".join(links)
    return JSONResponse(body, headers=headers)


@router.get("/api/v1/accounts/{user_id}/followers")
def followers(request: Request, user_id: str, window: WindowArgs, caller: Reader) -> JSONResponse:
    return _people(request, user_id, window, follows.list_followers)


@router.get("/api/v1/accounts/{user_id}/following")
def following(request: Request, user_id: str, window: WindowArgs, caller: Reader) -> JSONResponse:
    return _people(request, user_id, window, follows.list_following)


def _relationship(db: Session, caller: Caller, other: int) -> JSONResponse:
    found = safety.relationships(db, user_id=caller.user_id, other_ids=[other])
    return JSONResponse(entities.relationship_json(found[0]))


@router.post("/api/v1/accounts/{user_id}/follow")
def follow(user_id: str, caller: Follower) -> JSONResponse:
    """Follow (the Follow button: they are notified; a block either way is a 403)."""
    other = account_id(user_id)
    with session_scope() as db:
        follows.follow(db, follower_id=caller.user_id, followed_id=other)
        return _relationship(db, caller, other)


@router.post("/api/v1/accounts/{user_id}/unfollow")
def unfollow(user_id: str, caller: Follower) -> JSONResponse:
    other = account_id(user_id)
    with session_scope() as db:
        follows.unfollow(db, follower_id=caller.user_id, followed_id=other)
        return _relationship(db, caller, other)


@router.post("/api/v1/accounts/{user_id}/block")
def block(user_id: str, caller: Blocker) -> JSONResponse:
    """Block: the follows between the two end, and neither sees the other (services/safety)."""
    other = account_id(user_id)
    with session_scope() as db:
        safety.block_user(db, blocker_id=caller.user_id, blocked_id=other)
        return _relationship(db, caller, other)


@router.post("/api/v1/accounts/{user_id}/unblock")
def unblock(user_id: str, caller: Blocker) -> JSONResponse:
    other = account_id(user_id)
    with session_scope() as db:
        safety.unblock_user(db, blocker_id=caller.user_id, blocked_id=other)
        return _relationship(db, caller, other)


@router.post("/api/v1/accounts/{user_id}/mute")
async def mute(request: Request, user_id: str, caller: Muter) -> JSONResponse:
    """Mute (`notifications`, default true: their notifications too; `duration` in seconds,
    0 or none: until unmuted). JSON or form body."""
    fields = await form_fields(request)
    other = account_id(user_id)
    hide = str(fields.get("notifications", "true")).lower() not in ("false", "0")
    duration = str(fields.get("duration", "0") or "0")
    if not duration.isdigit():
        raise MastodonError(422, "Validation failed: duration must be a number of seconds")
    seconds = int(duration) or None

    def work() -> JSONResponse:
        with session_scope() as db:
            safety.mute_user(
                db,
                muter_id=caller.user_id,
                muted_id=other,
                seconds=seconds,
                hide_notifications=hide,
            )
            return _relationship(db, caller, other)

    return await run_in_threadpool(work)


@router.post("/api/v1/accounts/{user_id}/unmute")
def unmute(user_id: str, caller: Muter) -> JSONResponse:
    other = account_id(user_id)
    with session_scope() as db:
        safety.unmute_user(db, muter_id=caller.user_id, muted_id=other)
        return _relationship(db, caller, other)
