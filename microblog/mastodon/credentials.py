"""`GET /api/v1/accounts/verify_credentials`: the signed-in account, with `source`.

A minimal Account of its own until the Account entity of the statuses/accounts part
(microblog/mastodon/entities.py) takes its place."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from microblog.config import public_addresses
from microblog.db import session_scope
from microblog.mastodon.auth import Caller, require_scope
from microblog.mastodon.errors import MastodonError
from microblog.models import User
from microblog.routes import user_url
from microblog.schemas import UserFace

router = APIRouter()


def minimal_account(user: User) -> dict[str, Any]:
    site = public_addresses().site
    face = UserFace.of(user)
    created = user.created.date().isoformat() + "T00:00:00.000Z"
    note = user.about_me or ""
    return {
        "id": str(user.id),
        "username": user.username,
        "acct": user.username,
        "display_name": user.username,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": created,
        "note": note,
        "url": f"{site}{user_url(user.username)}",
        "uri": f"{site}{user_url(user.username)}",
        "avatar": face.large,
        "avatar_static": face.large,
        "header": "",
        "header_static": "",
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": None,
        "emojis": [],
        "fields": [],
        "source": {
            "privacy": "public",
            "sensitive": False,
            "language": user.language or "",
            "note": note,
            "fields": [],
            "follow_requests_count": 0,
        },
    }


@router.get("/api/v1/accounts/verify_credentials")
def verify_credentials(
    caller: Annotated[Caller, Depends(require_scope("read:accounts"))],
) -> JSONResponse:
    with session_scope() as db:
        user = db.get(User, caller.user_id)
        if user is None:
            raise MastodonError(401, "The access token is invalid")
        return JSONResponse(minimal_account(user))
