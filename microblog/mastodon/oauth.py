"""OAuth 2 endpoints (RFC 6749, as Mastodon serves them):

- `GET /oauth/authorize` checks the request (services/oauth.check_authorization) and sends the
  browser to our consent page (pages/authorize_app.py) on the site's address, with the same
  query: the page checks it again, asks the user to log in if needed, and on Authorize
  redirects to `redirect_uri?code=...&state=...` (or shows the code for the out-of-band URI).
  A request naming an unknown app or an unregistered redirect URI is refused here with a 400
  and never redirected; other problems go back to the app's redirect URI as `?error=...`.
- `POST /oauth/token`: `authorization_code` (with the PKCE verifier when a challenge was given)
  and `client_credentials`; JSON or form bodies; client credentials in the body or HTTP Basic.
  Rate-limited per client address (throttle.py).
- `POST /oauth/revoke` (RFC 7009).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse

from microblog import routes
from microblog.config import public_addresses
from microblog.db import session_scope
from microblog.mastodon.errors import oauth_error_response
from microblog.mastodon.forms import first_text, form_fields
from microblog.mastodon.throttle import throttle, token_limit
from microblog.services import oauth

router = APIRouter()
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.get("/oauth/authorize")
@router.get("/oauth/authorize/", include_in_schema=False)  # as toot asks for it
def authorize(request: Request) -> Any:
    q = request.query_params
    try:
        with session_scope() as db:
            oauth.check_authorization(
                db,
                client_id=q.get("client_id", ""),
                redirect_uri=q.get("redirect_uri"),
                response_type=q.get("response_type"),
                scope=q.get("scope"),
                state=q.get("state"),
                code_challenge=q.get("code_challenge"),
                code_challenge_method=q.get("code_challenge_method"),
            )
    except oauth.OAuthError as problem:
        uri = q.get("redirect_uri", "")
        if problem.error in ("invalid_client", "invalid_redirect_uri") or uri in ("", oauth.OOB):
            return oauth_error_response(problem, 400)  # for the person in the browser
        values = {
            "error": problem.error,
            "error_description": str(problem.message),
            "state": q.get("state", ""),
        }
        return RedirectResponse(oauth.redirect_with(uri, values), status_code=302)
    site = public_addresses().site
    return RedirectResponse(f"{site}{routes.AUTHORIZE_APP}?{request.url.query}", status_code=302)


def _basic_client(request: Request) -> tuple[str, str]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _client(request: Request, params: dict[str, Any]) -> tuple[str, str]:
    basic_id, basic_secret = _basic_client(request)
    return first_text(params, "client_id") or basic_id, first_text(
        params, "client_secret"
    ) or basic_secret


@router.post("/oauth/token")
async def token(request: Request) -> JSONResponse:
    limits = await throttle(request, token_limit())  # any outcome counts
    params = await form_fields(request)
    client_id, client_secret = _client(request, params)
    grant_type = first_text(params, "grant_type")

    def work() -> dict[str, Any]:
        with session_scope() as db:
            if grant_type == "authorization_code":
                raw, row = oauth.exchange_code(
                    db,
                    client_id=client_id,
                    client_secret=client_secret,
                    code=first_text(params, "code"),
                    redirect_uri=first_text(params, "redirect_uri") or None,
                    code_verifier=first_text(params, "code_verifier") or None,
                )
            elif grant_type == "client_credentials":
                raw, row = oauth.client_token(
                    db,
                    client_id=client_id,
                    client_secret=client_secret,
                    scope=first_text(params, "scope") or None,
                )
            else:
                raise oauth.OAuthError(
                    "unsupported_grant_type",
                    "grant_type must be authorization_code or client_credentials.",
                )
            return {
                "access_token": raw,
                "token_type": "Bearer",
                "scope": row.scopes,
                "created_at": int(row.created.timestamp()),
            }

    try:
        return JSONResponse(await run_in_threadpool(work), headers=_NO_STORE | limits)
    except oauth.OAuthError as problem:
        refused = oauth_error_response(problem)
        refused.headers.update(limits)
        return refused


@router.post("/oauth/revoke")
async def revoke(request: Request) -> JSONResponse:
    params = await form_fields(request)
    client_id, client_secret = _client(request, params)

    def work() -> None:
        with session_scope() as db:
            oauth.revoke(
                db,
                client_id=client_id,
                client_secret=client_secret,
                token=first_text(params, "token"),
            )

    try:
        await run_in_threadpool(work)
    except oauth.OAuthError as problem:
        if problem.error == "invalid_client":
            problem = oauth.OAuthError(
                "unauthorized_client", "You are not authorized to revoke this token"
            )
        return oauth_error_response(problem)
    return JSONResponse({})
