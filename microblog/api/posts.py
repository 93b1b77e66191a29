"""Posts, a user's posts and the token holder's home feed: beyond the tutorial, so an app can be
built on the API. The rules (the length, authors edit and delete their own, the live "new post"
event) are the services', the same as the UI's. Threads, likes, boosts, history and tags are in
threads.py."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from microblog.api.auth import BearerCredentials, authorized
from microblog.api.contract import (
    BoostOut,
    PostCollection,
    PostCreate,
    PostOut,
    PostUpdate,
    errors,
)
from microblog.api.params import PagingArgs, existing_id
from microblog.api.representations import (
    API_PREFIX,
    collection_json,
    post_json,
    post_path,
    user_path,
)
from microblog.api.routing import JsonRoute
from microblog.models import row_id
from microblog.services import posts, users
from microblog.services.errors import Invalid, NotFound
from microblog.services.feeds import feed_page

router = APIRouter(route_class=JsonRoute, tags=["posts"])


def existing_media_id(value: int) -> int:
    """An id in `media_ids` that could name a picture; anything else is refused like an id that
    names none (400, not 404: the post's fields are what is wrong)."""
    try:
        return existing_id(value, "picture")
    except NotFound:
        raise Invalid({"media_ids": "No such picture."}) from None


@router.get(
    "/users/{user_id}/posts", response_model=PostCollection, responses=errors(400, 401, 404)
)
def get_user_posts(
    user_id: int, paging: PagingArgs, credentials: BearerCredentials
) -> JSONResponse:
    """A user's posts, replies and boosts, newest first."""
    with authorized(credentials) as (db, me):
        user = users.get_user(db, existing_id(user_id, "user"))
        page = posts.user_posts(
            db,
            user_id=row_id(user),
            page=paging.page,
            per_page=paging.per_page,
            viewer_id=row_id(me),
        )
        page.total = posts.count_user_posts(db, user_id=row_id(user))
        return JSONResponse(collection_json(page, post_json, f"{user_path(row_id(user))}/posts"))


@router.get("/feed", response_model=PostCollection, responses=errors(400, 401))
def get_feed(paging: PagingArgs, credentials: BearerCredentials) -> JSONResponse:
    """Your home feed: your posts and those of everyone you follow, newest first. Not counted
    (`total_items` and `total_pages` are null): follow `_links.next` until it is null."""
    with authorized(credentials) as (db, me):
        page = feed_page(
            db, feed="home", reader_id=row_id(me), page=paging.page, per_page=paging.per_page
        )
        return JSONResponse(collection_json(page, post_json, f"{API_PREFIX}/feed"))


@router.get("/posts/{post_id}", response_model=PostOut | BoostOut, responses=errors(400, 401, 404))
def get_post(post_id: int, credentials: BearerCredentials) -> JSONResponse:
    """A post, or a boost (with `boost_of`)."""
    with authorized(credentials) as (db, me):
        row = posts.get_post_row(db, post_id=existing_id(post_id, "post"), viewer_id=row_id(me))
        return JSONResponse(post_json(row))


@router.post(
    "/posts",
    status_code=201,
    response_model=PostOut,
    responses=errors(
        400,
        401,
        404,
        413,
        415,
        429,  # the spam brake (services/spam_brakes.py)
        examples={
            404: (
                "`in_reply_to` names no post (or one you cannot see: a block, hidden).",
                "The post you are replying to no longer exists.",
            )
        },
    ),
)
def create_post(data: PostCreate, credentials: BearerCredentials) -> JSONResponse:
    """Post as the token holder, or reply with `in_reply_to`; 201 with a `Location` header.
    Followers' open pages show it live, as they do for a post from the web form; the author
    replied to and the people mentioned are notified."""
    reply_to = None if data.in_reply_to is None else existing_id(data.in_reply_to, "post")
    with authorized(credentials) as (db, me):
        post = posts.create_post(
            db,
            author_id=row_id(me),
            body=data.body,
            reply_to_id=reply_to,
            media_ids=[existing_media_id(i) for i in data.media_ids],
        )
        row = posts.get_post_row(db, post_id=row_id(post), viewer_id=row_id(me))
    return JSONResponse(post_json(row), status_code=201, headers={"Location": post_path(row.id)})


@router.patch(
    "/posts/{post_id}",
    response_model=PostOut,
    responses=errors(
        400,
        401,
        403,
        404,
        413,
        415,
        examples={403: ("The post is someone else's.", "You can only edit your own posts.")},
    ),
)
def edit_post(post_id: int, data: PostUpdate, credentials: BearerCredentials) -> JSONResponse:
    """Change the text of one of your posts (403 for anyone else's, 400 for a boost, which has
    no text). The replaced text stays in `GET /api/posts/<id>/history`; open pages show the new
    one live and the card says "edited"."""
    with authorized(credentials) as (db, me):
        media_ids = data.media_ids
        post = posts.edit_post(
            db,
            post_id=existing_id(post_id, "post"),
            user_id=row_id(me),
            body=data.body,
            media_ids=None if media_ids is None else [existing_media_id(i) for i in media_ids],
        )
        row = posts.get_post_row(db, post_id=row_id(post), viewer_id=row_id(me))
        return JSONResponse(post_json(row))


@router.delete("/posts/{post_id}", status_code=204, responses=errors(400, 401, 403, 404))
def delete_post(post_id: int, credentials: BearerCredentials) -> Response:
    """Delete one of your posts (403 for anyone else's); deleting your boost unboosts."""
    with authorized(credentials) as (db, me):
        posts.delete_post(db, post_id=existing_id(post_id, "post"), user_id=me.id or 0)
    return Response(status_code=204)
