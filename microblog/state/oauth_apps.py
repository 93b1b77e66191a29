"""The Mastodon client API's pages: the consent page a client sends the user to
(`/authorize_app`, reached through `GET /oauth/authorize`), and the list of the apps the user
has let in, where each can be revoked (`/authorized_apps`).

The consent page checks the request again (services/oauth.check_authorization: the app, its
redirect URI, the scopes, the PKCE challenge) from the page's own address, so what it shows is
what Authorize grants; the code goes to the app's redirect URI, or is shown for the
out-of-band one. The checked request stays in a backend-only var.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from microblog.db import run_db
from microblog.i18n import _l, translate
from microblog.services import oauth
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import login_required

REVOKED = _l("The app's access is revoked.")


@dataclass
class ScopeRow:
    """A scope as the pages show it: its words (a msgid, translated in the browser, so a
    language switch changes them in place) and its name."""

    msgid: str
    scope: str


@dataclass
class AppRow:
    """One token on Authorized apps (no secret)."""

    token_id: str
    app_name: str
    website: str
    created: str
    scopes: list[ScopeRow] = field(default_factory=list)


def _words(scopes: tuple[str, ...] | list[str]) -> list[ScopeRow]:
    return [ScopeRow(str(oauth.SCOPE_WORDS.get(scope, scope)), scope) for scope in scopes]


class AuthorizeAppState(PageData, rx.State):
    app_name: str = ""
    website: str = ""
    scopes: list[ScopeRow] = []
    error: str = ""
    code: str = ""  # shown for the out-of-band redirect URI only
    _request: dict[str, Any] = {}

    def _query(self) -> dict[str, str | None]:
        q = self.router.url.query_parameters
        names = ("client_id", "redirect_uri", "response_type", "scope", "state")
        fields: dict[str, str | None] = {name: q.get(name) for name in names}
        fields["client_id"] = fields["client_id"] or ""
        fields["code_challenge"] = q.get("code_challenge")
        fields["code_challenge_method"] = q.get("code_challenge_method")
        return fields

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        fields = self._query()
        lang = await language_of(self)
        self.code, self._request = "", {}
        try:
            request = await run_db(lambda db: oauth.check_authorization(db, **fields))  # type: ignore[arg-type]
        except oauth.OAuthError as problem:
            self.error = translate(problem.message, lang)
            self.app_name, self.website, self.scopes = "", "", []
        else:
            self.error = ""
            self.app_name, self.website = request.app_name, request.website or ""
            self.scopes = _words(request.scopes)
            self._request = fields
        self._set_loaded()

    @rx.event
    @login_required
    async def authorize(self, *, user_id: int) -> rx.event.EventSpec | None:
        fields = dict(self._request)
        if not fields:
            return None

        def grant(db: Any) -> tuple[str, oauth.AuthorizationRequest]:
            request = oauth.check_authorization(db, **fields)
            return oauth.grant_code(db, user_id=user_id, request=request), request

        try:
            code, request = await run_db(grant)
        except oauth.OAuthError as problem:
            self.error = translate(problem.message, await language_of(self))
            return None
        self._request = {}
        if request.redirect_uri == oauth.OOB:
            self.code = code
            return None
        target = oauth.redirect_with(request.redirect_uri, {"code": code, "state": request.state})
        return rx.redirect(target)  # another host: window.location.assign

    @rx.event
    @login_required
    async def deny(self, *, user_id: int) -> rx.event.EventSpec | None:
        fields, self._request = dict(self._request), {}
        uri = fields.get("redirect_uri") or ""
        if not uri or uri == oauth.OOB:
            return rx.redirect("/")
        values = {"error": "access_denied", "state": fields.get("state") or ""}
        return rx.redirect(oauth.redirect_with(uri, values))  # another host: window.location.assign


class AuthorizedAppsState(PageData, rx.State):
    rows: list[AppRow] = []
    notice: str = ""

    async def _read(self, user_id: int) -> None:
        apps = await run_db(lambda db: oauth.list_authorized(db, user_id=user_id))
        self.rows = [
            AppRow(
                token_id=str(app.token_id),
                app_name=app.app_name,
                website=app.website,
                created=app.created.isoformat(),
                scopes=_words(app.scopes.split()),
            )
            for app in apps
        ]

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        self.notice = ""
        await self._read(user_id)
        self._set_loaded()

    @rx.event
    @login_required
    async def revoke(self, token_id: str, *, user_id: int) -> None:
        if not token_id.isdigit():
            return
        await run_db(lambda db: oauth.revoke_for_user(db, user_id=user_id, token_id=int(token_id)))
        await self._read(user_id)
        self.notice = translate(REVOKED, await language_of(self))
