"""Login and registration forms."""

from __future__ import annotations

import json
import math
from urllib.parse import quote

import reflex as rx
from reflex.config import get_config

from microblog.config import get_settings
from microblog.db import run_db
from microblog.i18n import _l, _ln, translate, translate_errors
from microblog.routes import INDEX, LOGIN, SESSION_HTTP
from microblog.security import safe_next_path, ticket_binding
from microblog.services import registration
from microblog.services.errors import Invalid, TooManyRequests
from microblog.services.login import log_in
from microblog.state.client import client_of
from microblog.state.confirm_email import ConfirmEmailState
from microblog.state.locale import language_of
from microblog.state.session import SessionState

INVALID_LOGIN = _l("Invalid username or password")


def too_many_attempts(seconds: int) -> str:
    """What a throttled login is told instead of checking the password."""
    if seconds < 120:
        return _ln(
            "Too many failed attempts. Try again in %(num)d second.",
            "Too many failed attempts. Try again in %(num)d seconds.",
            seconds,
        )
    return _ln(
        "Too many failed attempts. Try again in %(num)d minute.",
        "Too many failed attempts. Try again in %(num)d minutes.",
        math.ceil(seconds / 60),
    )


def _checked(value: object) -> bool:
    return str(value).lower() in {"on", "true", "1", "yes"}


def _redeem_script(ticket: str) -> str:
    """This browser keeps the ticket's binding for a minute, only for the page that redeems it
    (web/session_cookie.py), then goes there: a full navigation to the backend, which sets the
    HttpOnly cookie and sends us back."""
    api = get_config().api_url.rstrip("/")
    url = f"{api}{SESSION_HTTP}?ticket={quote(ticket)}"
    settings = get_settings()
    binding = ticket_binding(ticket, settings.secret_key)
    secure = "; Secure" if api.startswith("https://") else ""
    cookie = (
        f"{settings.login_binding_cookie_name}={binding}; Path={SESSION_HTTP}; Max-Age=60; "
        "SameSite=Strict"
        f"{secure}"
    )
    return f"document.cookie = {json.dumps(cookie)}; window.location.assign({json.dumps(url)})"


class LoginState(rx.State):
    error: str = ""
    notice: str = ""

    def _next_path(self) -> str:
        return safe_next_path(self.router.url.query_parameters.get("next"), INDEX)

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self.error = ""
        params = self.router.url.query_parameters
        notice: str
        if params.get("registered"):
            notice = _l("Congratulations, you are now a registered user! Please log in.")
        elif params.get("expired"):
            notice = _l("That login link has expired. Please log in again.")
        elif params.get("reset"):
            notice = _l("Your password has been reset. Please log in with the new one.")
        else:
            notice = ""
        self.notice = translate(notice, await language_of(self))
        (await self.get_state(ConfirmEmailState)).withdraw_offer()
        session = await self.get_state(SessionState)
        if await session.current_user_id() is not None:
            return rx.redirect(self._next_path())
        return None

    @rx.event
    async def submit(self, form: dict) -> rx.event.EventSpec | None:
        login = str(form.get("login", "")).strip()
        password = str(form.get("password", ""))
        remember = _checked(form.get("remember_me"))
        if not login or not password:
            self.error = translate(
                _l("Please enter your username (or email) and password."),
                await language_of(self),
            )
            return None
        next_path = self._next_path()
        # The socket's peer address, or the client's as named by trusted reverse proxies
        # (microblog/client_address.py).
        client = client_of(self.router)
        try:
            attempt = await run_db(
                lambda db: log_in(
                    db,
                    login=login,
                    password=password,
                    client=client,
                    remember=remember,
                    next_path=next_path,
                )
            )
        except Invalid as problem:  # text that cannot be stored (a NUL, a lone surrogate)
            first = next(iter(problem.errors.values()))
            self.error = translate(first, await language_of(self))
            return None
        if attempt.unconfirmed is not None:
            self.error = translate(attempt.unconfirmed.message, await language_of(self))
            (await self.get_state(ConfirmEmailState)).offer_resend(attempt.unconfirmed.user_id)
            return None
        if attempt.wait:
            self.error = translate(too_many_attempts(attempt.wait), await language_of(self))
            return None
        if not attempt.credential:
            self.error = translate(INVALID_LOGIN, await language_of(self))
            return None
        self.error = ""
        return rx.call_script(_redeem_script(attempt.credential))


class RegisterState(rx.State):
    username_error: str = ""
    email_error: str = ""
    password_error: str = ""
    password2_error: str = ""
    error: str = ""  # about the whole form (too many registrations)
    # "Check your email": the answer when the site confirms addresses by email, the same
    # whether the address was new or already registered (services/registration.py).
    notice: str = ""

    def _set_errors(self, errors: dict[str, str]) -> None:
        self.username_error = errors.get("username", "")
        self.email_error = errors.get("email", "")
        self.password_error = errors.get("password", "")
        self.password2_error = errors.get("password2", "")

    @rx.event
    async def load(self) -> rx.event.EventSpec | None:
        self._set_errors({})
        self.error = self.notice = ""
        session = await self.get_state(SessionState)
        if await session.current_user_id() is not None:
            return rx.redirect(INDEX)
        return None

    @rx.event
    async def submit(self, form: dict) -> rx.event.EventSpec | None:
        # The client's address, as the login form counts it (microblog/client_address.py).
        client = client_of(self.router)

        self.error = ""
        try:
            outcome = await run_db(
                lambda db: registration.register_account(
                    db,
                    client=client,
                    username=str(form.get("username", "")),
                    email=str(form.get("email", "")),
                    password=str(form.get("password", "")),
                    password2=str(form.get("password2", "")),
                )
            )
        except TooManyRequests as problem:
            self._set_errors({})
            self.error = translate(problem.message, await language_of(self))
            return None
        except Invalid as problem:
            self._set_errors(translate_errors(problem.errors, await language_of(self)))
            return None
        self._set_errors({})
        if outcome.confirm_by_email:
            self.notice = translate(registration.CHECK_YOUR_EMAIL, await language_of(self))
            return None
        return rx.redirect(f"{LOGIN}?registered=1")
