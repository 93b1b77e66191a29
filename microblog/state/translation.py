"""The Translate link on posts: the translation replaces the text in place, with a way back.

Only signed-in readers are offered the link and may translate; each reader's calls to the
translator are rate-limited (TRANSLATE_RATE_LIMIT). Per-tab state stays small: only posts this
reader has translated (or is translating, or failed to translate) have an entry, keyed by post
id as a string (JSON object keys are strings). The call to the translator runs as a background
event with the HTTP request in a thread, so neither the event loop nor this tab's other events
wait for it.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from microblog.config import get_settings
from microblog.db import run_db
from microblog.i18n import _l, translate
from microblog.services import translation
from microblog.services.errors import DomainError
from microblog.services.rate_limits import RateLimit
from microblog.state.locale import language_of
from microblog.state.session import SessionState

MAX_KEPT = 50  # translations kept per tab; the oldest are dropped (the server cache keeps them)
LOG_IN_TO_TRANSLATE = _l("Log in to translate posts.")


class TranslationState(rx.State):
    translations: dict[str, str] = {}
    errors: dict[str, str] = {}
    pending: dict[str, bool] = {}

    @rx.var(cache=True)
    def enabled(self) -> bool:
        """Whether a translation service is configured: without one the link is hidden."""
        return translation.translation_enabled()

    @rx.event(background=True)
    async def translate_post(self, post_id: int) -> None:
        """Signed-in readers only (the session is checked here, not just the link hidden), and
        each one's calls to the translator are rate-limited (`begin_translation`)."""
        try:
            post_id = int(post_id)
        except (TypeError, ValueError):  # a crafted event: there is no such post to translate
            return
        key = str(post_id)
        async with self:
            if key in self.pending or key in self.translations:
                return
            lang = await language_of(self)
            user_id = await (await self.get_state(SessionState)).current_user_id()
            if user_id is None:
                self.errors = {**self.errors, key: translate(LOG_IN_TO_TRANSLATE, lang)}
                return
            self.pending = {**self.pending, key: True}
            self.errors = {k: v for k, v in self.errors.items() if k != key}
        limit = RateLimit("translate", *get_settings().translate_rate_limit)
        try:
            post = await run_db(
                lambda db: translation.begin_translation(
                    db, user_id=user_id, post_id=post_id, to=lang, limit=limit
                )
            )
            text = post.cached
            if not text:
                text = await asyncio.to_thread(
                    translation.translate_post_text,
                    post_id=post_id,
                    body=post.body,
                    to=lang,
                    source=post.source,
                )
        except (translation.TranslationError, DomainError) as problem:
            async with self:
                self.errors = {**self.errors, key: translate(problem.message, lang)}
                self.pending = {k: v for k, v in self.pending.items() if k != key}
            return
        async with self:
            kept = {k: v for k, v in self.translations.items() if k != key}
            while len(kept) >= MAX_KEPT:
                kept.pop(next(iter(kept)))
            self.translations = {**kept, key: text}
            self.pending = {k: v for k, v in self.pending.items() if k != key}

    @rx.event
    def show_original(self, post_id: int) -> None:
        key = str(post_id)
        self.translations = {k: v for k, v in self.translations.items() if k != key}
        self.errors = {k: v for k, v in self.errors.items() if k != key}
