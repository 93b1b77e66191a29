"""Threads: a post's thread and earlier versions, likes and boosts, and a tag's posts.
Each endpoint is one service call, the one the thread page, the card's buttons and the tag page
make, so the rules (a boost's original is what is liked, liking twice is one like, counters in
the same transaction, notifications, live updates) are the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from microblog.api.auth import BearerCredentials, authorized
from microblog.api.contract import (
    HistoryOut,
    PostCollection,
    ReactionOut,
    ThreadOut,
    errors,
)
from microblog.api.params import PagingArgs, existing_id
from microblog.api.representations import (
    API_PREFIX,
    collection_json,
    history_json,
    post_json,
    post_path,
    reaction_json,
    thread_json,
)
from microblog.api.routing import JsonRoute
from microblog.models import row_id
from microblog.services import posts, reactions
from microblog.services.reactions import Counts
from microblog.services.tags import tag_posts
from microblog.services.threads import open_thread

router = APIRouter(route_class=JsonRoute, tags=["conversations"])

_ONE_POST = errors(400, 401, 404, examples={404: ("No such post.", "No such post.")})

React = Callable[..., Counts]


@router.get("/posts/{post_id}/thread", response_model=ThreadOut, responses=_ONE_POST)
def get_thread(post_id: int, paging: PagingArgs, credentials: BearerCredentials) -> JSONResponse:
    """The post, what it answers (up the chain, the first post first) and a page of its
    replies, oldest first; `replies._meta.total_items` is its reply count."""
    with authorized(credentials) as (db, me):
        thread = open_thread(
            db,
            post_id=existing_id(post_id, "post"),
            viewer_id=row_id(me),
            page=paging.page,
            per_page=paging.per_page,
        )
        return JSONResponse(thread_json(thread, f"{post_path(post_id)}/thread"))


@router.get("/posts/{post_id}/history", response_model=HistoryOut, responses=_ONE_POST)
def get_history(post_id: int, credentials: BearerCredentials) -> JSONResponse:
    """Every version of a post, the current one first (a boost's: its original's). Anyone may
    read them, as anyone may read the post."""
    with authorized(credentials) as (db, _me):
        versions = posts.post_history(db, post_id=existing_id(post_id, "post"))
        return JSONResponse(history_json(post_id, versions))


def _react(post_id: int, credentials: BearerCredentials, react: React) -> JSONResponse:
    with authorized(credentials) as (db, me):
        counts = react(db, user_id=row_id(me), post_id=existing_id(post_id, "post"))
        return JSONResponse(reaction_json(counts))


@router.post("/posts/{post_id}/like", response_model=ReactionOut, responses=_ONE_POST)
def like(post_id: int, credentials: BearerCredentials) -> JSONResponse:
    """Like a post (a boost: the post it shares); its author is notified. Liking it again
    changes nothing and answers the same."""
    return _react(post_id, credentials, reactions.like_post)


@router.delete("/posts/{post_id}/like", response_model=ReactionOut, responses=_ONE_POST)
def unlike(post_id: int, credentials: BearerCredentials) -> JSONResponse:
    """Take your like back; also 200 when you did not like it."""
    return _react(post_id, credentials, reactions.unlike_post)


@router.post("/posts/{post_id}/boost", response_model=ReactionOut, responses=_ONE_POST)
def boost(post_id: int, credentials: BearerCredentials) -> JSONResponse:
    """Boost a post to your followers' home feeds (once: boosting again changes nothing); its
    author is notified."""
    return _react(post_id, credentials, reactions.boost_post)


@router.delete("/posts/{post_id}/boost", response_model=ReactionOut, responses=_ONE_POST)
def unboost(post_id: int, credentials: BearerCredentials) -> JSONResponse:
    """Take your boost back; also 200 when you had not boosted it."""
    return _react(post_id, credentials, reactions.unboost_post)


@router.get("/tags/{name}/posts", response_model=PostCollection, responses=errors(400, 401))
def get_tag_posts(name: str, paging: PagingArgs, credentials: BearerCredentials) -> JSONResponse:
    """The posts tagged `#name` (without the `#`; any case, any script), newest first. Not
    counted: follow `_links.next` until it is null. A tag nobody used has no posts."""
    with authorized(credentials) as (db, me):
        page = tag_posts(
            db, name=name, viewer_id=row_id(me), page=paging.page, per_page=paging.per_page
        )
        path = f"{API_PREFIX}/tags/{quote(name, safe='')}/posts"
        return JSONResponse(collection_json(page, post_json, path))
