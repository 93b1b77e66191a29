"""`GET /api/v1/accounts/verify_credentials`: the signed-in account (the same `Account` entity
as everywhere, entities.py), with the `source` Mastodon adds for its owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from microblog.db import session_scope
from microblog.mastodon import present
from microblog.mastodon.auth import Caller, require_scope
from microblog.mastodon.errors import MastodonError
from microblog.models import User

router = APIRouter()


@router.get("/api/v1/accounts/verify_credentials")
def verify_credentials(
    caller: Annotated[Caller, Depends(require_scope("read:accounts"))],
) -> JSONResponse:
    with session_scope() as db:
        user = db.get(User, caller.user_id)
        account = present.account(db, caller.user_id) if user is not None else None
        if user is None or account is None:
            raise MastodonError(401, "The access token is invalid")
        account["source"] = {
            "privacy": "public",
            "sensitive": False,
            "language": user.language or "",
            "note": user.about_me or "",
            "fields": [],
            "follow_requests_count": 0,
        }
        return JSONResponse(account)
