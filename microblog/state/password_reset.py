"""Forgot your password? Ask for a link by email, then set a new password through it.

The request page gives one answer whether or not the address has an account, and gives it at
once: the address is handed to the service's background queue before anything is looked up
(services/password_reset.py), so neither the words nor the time reveal who is registered, and a
mail server that is down only delays the email (the outbox retries it).
"""

from __future__ import annotations

import reflex as rx

from microblog.db import run_db
from microblog.i18n import _l, translate, translate_errors
from microblog.routes import LOGIN
from microblog.services import password_reset
from microblog.services.errors import DomainError, Invalid
from microblog.state.locale import language_of
from microblog.state.page_data import PageData

SENT = _l(
    "If that address belongs to an account, we have sent it a link to reset the password. "
    "Check your email; the link works for %(minutes)d minutes.",
    minutes=password_reset.TOKEN_MINUTES,
)


class ResetRequestState(rx.State):
    notice: str = ""
    error: str = ""

    @rx.event
    def load(self) -> None:
        self.notice, self.error = "", ""

    @rx.event
    async def submit(self, form: dict) -> None:
        email = str(form.get("email", "")).strip()
        lang = await language_of(self)
        if "@" not in email:
            self.notice = ""
            self.error = translate(_l("Please enter a valid email address."), lang)
            return
        password_reset.request_password_reset_later(email=email)
        self.notice, self.error = translate(SENT, lang), ""


class ResetPasswordState(PageData, rx.State):
    token_ok: bool = False
    error: str = ""
    password_error: str = ""
    password2_error: str = ""

    def _token(self) -> str:
        parts = [p for p in self.router.url.path.split("/") if p]
        return parts[1] if len(parts) >= 2 else ""

    @rx.event
    async def load(self) -> None:
        token = self._token()
        user = await run_db(lambda db: password_reset.user_for_token(db, token))
        self.token_ok = user is not None
        self.error = "" if user else translate(password_reset.INVALID_LINK, await language_of(self))
        self.password_error = self.password2_error = ""
        self._set_loaded()

    @rx.event
    async def submit(self, form: dict) -> rx.event.EventSpec | None:
        token = self._token()
        password, password2 = str(form.get("password", "")), str(form.get("password2", ""))
        try:
            await run_db(
                lambda db: password_reset.reset_password(
                    db, token=token, password=password, password2=password2
                )
            )
        except Invalid as problem:
            errors = translate_errors(problem.errors, await language_of(self))
            self.password_error = errors.get("password", "")
            self.password2_error = errors.get("password2", "")
            return None
        except DomainError as problem:  # the link expired or was used meanwhile
            self.token_ok = False
            self.error = translate(problem.message, await language_of(self))
            return None
        return rx.redirect(f"{LOGIN}?reset=1")
