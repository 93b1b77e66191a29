"""Where the login session cookie is set and cleared, over plain HTTP so it can be HttpOnly.

The websocket login form hands over a single-use ticket (see services/auth_sessions.py); this
endpoint trades it for a session and redirects to the already-checked `next` path on our own
frontend. Page scripts never see the session token.

Both endpoints are reached by a top-level navigation, which another site can start too:
- a ticket is redeemed only in the browser that filled in the form: the form's page puts the
  ticket's binding (`security.ticket_binding`) in a short-lived SameSite=Strict cookie, so a
  page elsewhere cannot sign its visitor in as someone else (login CSRF);
- both refuse a request another site started (Fetch Metadata, else Origin/Referer), so a link
  elsewhere cannot log people out either.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from reflex.config import get_config

from microblog import routes
from microblog.config import get_settings
from microblog.db import session_scope
from microblog.security import is_cross_site, ticket_binding
from microblog.services import auth_sessions

router = APIRouter(prefix="/auth", include_in_schema=False)


def frontend_url(path: str) -> str:
    """An absolute URL on our own frontend (the configured deploy URL, never the Host header)."""
    base = (get_config().deploy_url or "").rstrip("/")
    return f"{base}{path}"


def own_origins() -> tuple[str, ...]:
    """The origins our own pages are served from."""
    config = get_config()
    urls = (config.deploy_url or "", config.api_url or "", *config.cors_allowed_origins)
    return tuple(u.rstrip("/") for u in urls if u and u != "*")


def _redirect(path: str) -> RedirectResponse:
    response = RedirectResponse(frontend_url(path), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _from_this_browser(request: Request, ticket: str) -> bool:
    if is_cross_site(request.headers, own_origins()):
        return False
    settings = get_settings()
    presented = request.cookies.get(settings.login_binding_cookie_name, "")
    return hmac.compare_digest(presented, ticket_binding(ticket, settings.secret_key))


@router.get(routes.SESSION_HTTP.removeprefix("/auth"))
def start_session(request: Request, ticket: str = "") -> RedirectResponse:
    settings = get_settings()
    if not ticket or not _from_this_browser(request, ticket):
        # Not redeemed: the ticket stays useless to anyone but the browser that asked for it.
        return _redirect("/login?expired=1")
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
    response.delete_cookie(settings.login_binding_cookie_name, path=routes.SESSION_HTTP)
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


@router.get(routes.LOGOUT_HTTP.removeprefix("/auth"))
def end_session(request: Request) -> RedirectResponse:
    if is_cross_site(request.headers, own_origins()):
        return _redirect("/")  # a link on another site: nobody is logged out
    settings = get_settings()
    token = request.cookies.get(settings.session_cookie_name, "")
    if token:
        with session_scope() as db:
            auth_sessions.end_session(db, token=token)
    response = _redirect("/")
    response.delete_cookie(settings.session_cookie_name, path="/")
    return response
