"""Apps: `POST /api/v1/apps` registers a client (JSON or form body), and
`GET /api/v1/apps/verify_credentials` tells a client which app its token belongs to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from microblog.db import session_scope
from microblog.mastodon.auth import CHALLENGE, INVALID_TOKEN, bearer_token
from microblog.mastodon.errors import MastodonError
from microblog.mastodon.forms import first_text, form_fields
from microblog.mastodon.throttle import app_limit, throttle
from microblog.models import OAuthApp
from microblog.services import oauth

router = APIRouter()


def application(app: OAuthApp, *, secret: str | None = None) -> dict[str, Any]:
    """Mastodon's Application entity (the secret only when the app is created)."""
    uris = app.redirect_uris.split("\n")
    scopes = app.scopes.split()
    entity: dict[str, Any] = {
        "id": str(app.id),
        "name": app.name,
        "website": app.website,
        "scopes": scopes,
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }
    if secret is not None:
        entity |= {"client_id": app.client_id, "client_secret": secret}
        entity["client_secret_expires_at"] = 0
    return entity


@router.post("/api/v1/apps")
async def create_app(request: Request) -> JSONResponse:
    """Register a client; rate-limited per client address (throttle.py), any outcome counts."""
    limits = await throttle(request, app_limit())
    params = await form_fields(request)
    uris = params.get("redirect_uris")
    redirect_uris = (
        [u for u in uris if isinstance(u, str)]
        if isinstance(uris, list)
        else first_text(params, "redirect_uris")
    )

    def work() -> dict[str, Any]:
        with session_scope() as db:
            app, secret = oauth.register_app(
                db,
                name=first_text(params, "client_name"),
                redirect_uris=redirect_uris,
                scopes=first_text(params, "scopes") or None,
                website=first_text(params, "website") or None,
            )
            return application(app, secret=secret)

    try:
        return JSONResponse(await run_in_threadpool(work), headers=limits)
    except oauth.OAuthError as problem:
        raise MastodonError(422, f"Validation failed: {problem.message}", limits) from None


@router.get("/api/v1/apps/verify_credentials")
def verify_app(request: Request) -> JSONResponse:
    token = bearer_token(request)
    with session_scope() as db:
        grant = oauth.resolve(db, token=token) if token else None
        app = oauth.get_app(db, app_id=grant.app_id) if grant else None
        if app is None:
            raise MastodonError(401, INVALID_TOKEN, CHALLENGE)
        return JSONResponse(application(app))
