"""Email confirmation: the page a confirmation link opens (`/confirm/<token>`), and the login
form's offer to send the link again to an account that still waits for it.

The offer is made only after the login form has checked the account's password
(`LoginState.submit` calls `offer_resend`), so it tells nobody else that the account exists. The
account it is for stays in a backend-only var.
"""

from __future__ import annotations

import reflex as rx

from microblog.db import run_db
from microblog.i18n import _l, translate
from microblog.services import registration
from microblog.services.errors import DomainError
from microblog.state.locale import language_of
from microblog.state.page_data import PageData

SENT_AGAIN = _l("We have sent you a new confirmation link. Check your email.")
SENT_RECENTLY = _l(
    "We sent you a confirmation link a moment ago: check your email, including its spam "
    "folder. You can ask for another one in two minutes."
)


class ConfirmEmailState(PageData, rx.State):
    confirmed: bool = False
    error: str = ""
    # The login form's offer: shown after the right password of an unconfirmed account.
    can_resend: bool = False
    resend_notice: str = ""
    _resend_user_id: int = 0

    def _token(self) -> str:
        parts = [p for p in self.router.url.path.split("/") if p]
        return parts[1] if len(parts) >= 2 else ""

    @rx.event
    async def load(self) -> None:
        """on_load of /confirm/<token>: confirm the address, or say why not."""
        token = self._token()
        try:
            await run_db(lambda db: registration.confirm_email(db, token=token))
        except DomainError as problem:
            self.confirmed = False
            self.error = translate(problem.message, await language_of(self))
        else:
            self.confirmed, self.error = True, ""
        self._set_loaded()

    def offer_resend(self, user_id: int) -> None:
        self._resend_user_id, self.can_resend, self.resend_notice = user_id, True, ""

    def withdraw_offer(self) -> None:
        self._resend_user_id, self.can_resend, self.resend_notice = 0, False, ""

    @rx.event
    async def resend(self) -> None:
        user_id = self._resend_user_id
        if not user_id:
            return
        try:
            sent = await run_db(lambda db: registration.resend_confirmation(db, user_id=user_id))
        except DomainError:  # the account is gone
            self.withdraw_offer()
            return
        self.resend_notice = translate(
            SENT_AGAIN if sent else SENT_RECENTLY, await language_of(self)
        )
