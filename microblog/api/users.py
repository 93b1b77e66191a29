"""Users: the tutorial's six endpoints, and follow/unfollow.

Handlers are plain `def`: FastAPI runs them in its thread pool, so their database work never
blocks the event loop. Each is one unit of work (`authorized` checks the token in the same
session).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from microblog.api.auth import BearerCredentials, authorized, client_address
from microblog.api.contract import (
    AcceptedOut,
    UserCollection,
    UserCreate,
    UserOut,
    UserUpdate,
    errors,
)
from microblog.api.errors import ApiError
from microblog.api.params import Paging, PagingArgs, existing_id
from microblog.api.representations import (
    API_PREFIX,
    one_user_json,
    user_path,
    users_collection_json,
)
from microblog.api.routing import JsonRoute
from microblog.db import session_scope
from microblog.models import row_id
from microblog.schemas import Page, UserPublic
from microblog.services import follows, registration, users
from microblog.services.errors import Forbidden, TooManyRequests

router = APIRouter(route_class=JsonRoute, tags=["users"])

_AUTH = errors(400, 401, 404)


@router.get("/users/{user_id}", response_model=UserOut, responses=_AUTH)
def get_user(user_id: int, credentials: BearerCredentials) -> JSONResponse:
    """A user; `email` is included only in your own."""
    with authorized(credentials) as (db, me):
        user = users.get_user(db, existing_id(user_id, "user"))
        email = user.email if user.id == me.id else None
        return JSONResponse(one_user_json(db, UserPublic.of(user), email=email))


@router.get("/users", response_model=UserCollection, responses=errors(400, 401))
def get_users(paging: PagingArgs, credentials: BearerCredentials) -> JSONResponse:
    """Everyone, in order of registration."""
    with authorized(credentials) as (db, _me):
        page = users.list_users(db, page=paging.page, per_page=paging.per_page, count=True)
        return JSONResponse(users_collection_json(db, page, f"{API_PREFIX}/users"))


@router.get("/users/{user_id}/followers", response_model=UserCollection, responses=_AUTH)
def get_followers(user_id: int, paging: PagingArgs, credentials: BearerCredentials) -> JSONResponse:
    """Who follows this user, most recent first."""
    return _related_users(user_id, paging, credentials, follows.list_followers, "followers")


@router.get("/users/{user_id}/following", response_model=UserCollection, responses=_AUTH)
def get_following(user_id: int, paging: PagingArgs, credentials: BearerCredentials) -> JSONResponse:
    """Whom this user follows, most recent first."""
    return _related_users(user_id, paging, credentials, follows.list_following, "following")


def _related_users(
    user_id: int,
    paging: Paging,
    credentials: BearerCredentials,
    list_page: Callable[..., Page[UserPublic]],
    relation: str,
) -> JSONResponse:
    """One page of a user's followers or followed, counted (the API's collections carry
    totals), at /api/users/<id>/<relation>."""
    with authorized(credentials) as (db, _me):
        user = users.get_user(db, existing_id(user_id, "user"))
        page = list_page(
            db, user_id=user.id, page=paging.page, per_page=paging.per_page, count=True
        )
        return JSONResponse(
            users_collection_json(db, page, f"{user_path(row_id(user))}/{relation}")
        )


@router.post(
    "/users",
    status_code=201,
    response_model=UserOut,
    responses={
        202: {
            "model": AcceptedOut,
            "description": "When the site confirms addresses by email (a mail server is set): "
            "the same answer whether the address is new or already registered; the account "
            "works once the link emailed to the address is opened.",
        },
        **errors(400, 413, 415, 429),
    },
)
def create_user(data: UserCreate, request: Request) -> JSONResponse:
    """Register (no token needed). Answers 201 with the new user and a `Location` header, or
    202 when the address must be confirmed first. The registration form's rules and rate
    limit (services/registration.py)."""
    try:
        with session_scope() as db:
            outcome = registration.register_account(
                db,
                client=client_address(request),
                username=data.username,
                email=data.email,
                password=data.password,
                password2=data.password,
            )
            user = outcome.user
            if user is None:
                return JSONResponse({"message": str(registration.CHECK_YOUR_EMAIL)}, 202)
            if data.about_me:
                users.update_account(db, user_id=row_id(user), about_me=data.about_me)
            db.flush()
            body = one_user_json(db, UserPublic.of(user), email=user.email)
    except TooManyRequests as problem:
        wait = problem.retry_after
        raise ApiError(
            429, f"Too many registrations. Try again in {wait} s.", {"Retry-After": str(wait)}
        ) from None
    return JSONResponse(body, status_code=201, headers={"Location": user_path(user.id or 0)})


@router.put(
    "/users/{user_id}",
    response_model=UserOut,
    responses=errors(400, 401, 403, 404, 413, 415),
)
def update_user(user_id: int, data: UserUpdate, credentials: BearerCredentials) -> JSONResponse:
    """Change your own username, email or about me (403 for anyone else's)."""
    with authorized(credentials) as (db, me):
        if me.id != user_id:
            raise Forbidden("You can only change your own account.")
        given = data.model_fields_set
        user = users.update_account(
            db,
            user_id=me.id,
            username=data.username if "username" in given else None,
            email=data.email if "email" in given else None,
            about_me=(data.about_me or "") if "about_me" in given else None,
        )
        db.flush()
        return JSONResponse(one_user_json(db, UserPublic.of(user), email=user.email))


@router.get("/users/{user_id}/follow", status_code=204, responses=_AUTH)
def is_following(user_id: int, credentials: BearerCredentials) -> Response:
    """204 if you follow this user, 404 if you do not (or there is no such user)."""
    with authorized(credentials) as (db, me):
        user = users.get_user(db, existing_id(user_id, "user"))
        if not follows.is_following(db, follower_id=row_id(me), followed_id=row_id(user)):
            raise ApiError(404, "You do not follow this user.")
    return Response(status_code=204)


def _not_yourself(verb: str) -> dict[int | str, dict[str, object]]:
    """The errors of following and unfollowing, a 400 for doing it to yourself among them."""
    return errors(
        400,
        401,
        403,  # following: a block either way
        404,
        429,  # following: the spam brake
        examples={
            400: (
                f"The id is not a number, or it is your own: you cannot {verb} yourself.",
                f"You cannot {verb} yourself.",
            )
        },
    )


@router.post(
    "/users/{user_id}/follow",
    status_code=204,
    responses=_not_yourself("follow"),
)
def follow(user_id: int, credentials: BearerCredentials) -> Response:
    """Follow a user (the same as the Follow button: they are notified). Following someone you
    already follow changes nothing and also answers 204; following yourself is a 400."""
    with authorized(credentials) as (db, me):
        follows.follow(db, follower_id=row_id(me), followed_id=existing_id(user_id, "user"))
    return Response(status_code=204)


@router.delete(
    "/users/{user_id}/follow",
    status_code=204,
    responses=_not_yourself("unfollow"),
)
def unfollow(user_id: int, credentials: BearerCredentials) -> Response:
    """Stop following a user; 204 also when you were not following them."""
    with authorized(credentials) as (db, me):
        follows.unfollow(db, follower_id=row_id(me), followed_id=existing_id(user_id, "user"))
    return Response(status_code=204)
