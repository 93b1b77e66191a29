"""Where the login session cookie is set and cleared, over plain HTTP so it can be HttpOnly.

The websocket login form hands over a single-use ticket (see services/auth_sessions.py); this
endpoint trades it for a session and redirects to the already-checked `next` path on our own
frontend. Page scripts never see the session token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from reflex.config import get_config

from microblog.config import get_settings
from microblog.db import session_scope
from microblog.services import auth_sessions

router = APIRouter(prefix="/auth", include_in_schema=False)


def frontend_url(path: str) -> str:
    """An absolute URL on our own frontend (the configured deploy URL, never the Host header)."""
    base = (get_config().deploy_url or "").rstrip("/")
    return f"{base}{path}"


def _redirect(path: str) -> RedirectResponse:
    response = RedirectResponse(frontend_url(path), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/session")
def start_session(ticket: str = "") -> RedirectResponse:
    settings = get_settings()
    with session_scope() as db:
        redeemed = auth_sessions.redeem_login_ticket(
            db,
            ticket=ticket,
            remember_days=settings.session_days_remember,
            default_hours=settings.session_hours_default,
        )
    if redeemed is None:
        return _redirect("/login?expired=1")
    token, auth, next_path = redeemed
    response = _redirect(next_path)
    response.set_cookie(
        settings.session_cookie_name,
        token,
        # A "remember me" login survives the browser closing; otherwise it is a session cookie.
        max_age=settings.session_days_remember * 86400 if auth.remember else None,
        path="/",
        httponly=True,
        samesite="lax",
        secure=frontend_url("").startswith("https://"),
    )
    return response


@router.get("/logout")
def end_session(request: Request) -> RedirectResponse:
    settings = get_settings()
    token = request.cookies.get(settings.session_cookie_name, "")
    if token:
        with session_scope() as db:
            auth_sessions.end_session(db, token=token)
    response = _redirect("/")
    response.delete_cookie(settings.session_cookie_name, path="/")
    return response
