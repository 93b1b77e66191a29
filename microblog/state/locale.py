"""The reader's language: the only per-tab piece of the translation machinery (one short
string). The catalogs themselves are in the JavaScript bundle (static text) and in the server
process (messages produced by event handlers), never copied into a tab's state.

Where the language comes from, in order:
1. a signed-in user's profile (`User.language`), applied once per tab and login, so a choice
   made on one device follows the user to the next;
2. the visitor's own choice, kept in localStorage (`rx.LocalStorage`, synced between tabs, so
   switching in one tab switches the others too);
3. on the first visit, the browser's Accept-Language header, negotiated against en/es/zh.
"""

from __future__ import annotations

import reflex as rx

from microblog.db import run_db
from microblog.i18n import LANGUAGES, negotiate_language, normalize_language
from microblog.services import users
from microblog.state import live
from microblog.state.session import SessionState

STORAGE_KEY = "microblog_lang"  # also read by assets/i18n/runtime.js for the first render


class LocaleState(rx.State):
    lang: str = rx.LocalStorage("", name=STORAGE_KEY, sync=True)
    # The user whose profile language this tab has applied (0: none yet / a visitor).
    _profile_user_id: int = 0

    def _language(self) -> str:
        """The language to produce server-side text in; negotiates on first use."""
        if self.lang not in LANGUAGES:
            self.lang = negotiate_language(self.router.headers.accept_language)
        return self.lang

    async def _sync(self) -> None:
        """Part of every page's on_load (LiveState.connect calls it, so it costs the tab no
        extra round trip), after the page's own handler checked the session."""
        self._language()
        user_id = (await self.get_state(SessionState)).user_id
        if not user_id:
            self._profile_user_id = 0
            return
        if user_id == self._profile_user_id:
            return
        self._profile_user_id = user_id
        chosen = self.lang
        saved = await run_db(
            lambda db: users.get_or_set_language(db, user_id=user_id, language=chosen)
        )
        self.lang = normalize_language(saved)

    @rx.event
    async def set_language(self, lang: str) -> None:
        """The switcher: change the language of every open tab of this browser at once (the
        var is synced localStorage) and remember it in the user's profile."""
        if lang not in LANGUAGES:
            return
        self.lang = lang
        user_id = await (await self.get_state(SessionState)).current_user_id()
        if user_id:
            self._profile_user_id = user_id
            await run_db(lambda db: users.set_language(db, user_id=user_id, language=lang))


async def language_of(state: rx.State) -> str:
    """The language of the tab `state` belongs to, for messages produced in its handlers."""
    return (await state.get_state(LocaleState))._language()


live.on_connect(LocaleState, "_sync")
