"""Timelines: home (the Home page's feed: services/timeline.py), public (the Explore page's:
everyone's posts here; we have no other servers, so `local` changes nothing and `remote`
is empty) and a hashtag's (the tag page's). Keyset pages (pagination.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from microblog.db import session_scope
from microblog.mastodon import entities, present
from microblog.mastodon.auth import Caller, optional_caller, require_scope
from microblog.mastodon.errors import MastodonError
from microblog.mastodon.pagination import WindowArgs, link_header
from microblog.schemas import Page, PostRow
from microblog.services import posts
from microblog.services.tags import normalise_tag, tag_posts
from microblog.services.timeline import home_timeline

router = APIRouter(tags=["mastodon: timelines"])

Reader = Annotated[Caller | None, Depends(optional_caller)]
HomeReader = Annotated[Caller, Depends(require_scope("read:statuses"))]


def _answer(request: Request, db: Session, page: Page[PostRow], *, media: bool) -> JSONResponse:
    rows = [row for row in page.items if row.media] if media else page.items
    body = present.statuses(db, rows)
    headers = link_header(request, present.entry_ids(page.items), has_next=page.has_next)
    return JSONResponse(body, headers=headers)


@router.get("/api/v1/timelines/home")
def home(request: Request, window: WindowArgs, caller: HomeReader) -> JSONResponse:
    """Your posts and those of everyone you follow, with their boosts, newest first."""
    with session_scope() as db:
        page = home_timeline(
            db, user_id=caller.user_id, page=1, per_page=window.limit, **window.bounds
        )
        return _answer(request, db, page, media=False)


@router.get("/api/v1/timelines/public")
def public(
    request: Request,
    window: WindowArgs,
    caller: Reader,
    remote: bool = False,
    only_media: bool = False,
) -> JSONResponse:
    """Everyone's posts here, newest first (the Explore page)."""
    if remote:
        return JSONResponse([])
    with session_scope() as db:
        page = posts.explore_posts(
            db,
            page=1,
            per_page=window.limit,
            viewer_id=caller.user_id if caller else 0,
            **window.bounds,
        )
        return _answer(request, db, page, media=only_media)


@router.get("/api/v1/timelines/tag/{hashtag}")
def hashtag(
    request: Request,
    hashtag: str,
    window: WindowArgs,
    caller: Reader,
    remote: bool = False,
    only_media: bool = False,
) -> JSONResponse:
    """The posts tagged `hashtag` (any case), newest first; an unknown tag has none."""
    if remote:
        return JSONResponse([])
    with session_scope() as db:
        page = tag_posts(
            db,
            name=hashtag,
            viewer_id=caller.user_id if caller else 0,
            page=1,
            per_page=window.limit,
            **window.bounds,
        )
        return _answer(request, db, page, media=only_media)


@router.get("/api/v1/tags/{name}")
def tag(name: str, caller: Reader) -> JSONResponse:
    """A `Tag` by name (any case or width: the name it is stored under). No usage history,
    and nobody follows tags here."""
    key = normalise_tag(name)
    if not key:
        raise MastodonError(404, "Record not found")
    return JSONResponse(entities.tag_json(key, base=present.site()))
