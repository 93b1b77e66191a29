"""The Translate link on posts: the translation replaces the text in place, with a way back.

Per-tab state stays small: only posts this reader has translated (or is translating, or failed
to translate) have an entry, keyed by post id as a string (JSON object keys are strings). The
call to the translator runs as a background event with the HTTP request in a thread, so neither
the event loop nor this tab's other events wait for it.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from microblog.db import run_db
from microblog.i18n import translate
from microblog.services import translation
from microblog.services.errors import DomainError
from microblog.state.locale import language_of

MAX_KEPT = 50  # translations kept per tab; the oldest are dropped (the server cache keeps them)


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
        key = str(post_id)
        async with self:
            if key in self.pending or key in self.translations:
                return
            self.pending = {**self.pending, key: True}
            self.errors = {k: v for k, v in self.errors.items() if k != key}
            lang = await language_of(self)
        try:
            body, source = await run_db(
                lambda db: translation.post_for_translation(db, post_id=int(post_id))
            )
            text = await asyncio.to_thread(
                translation.translate_post_text,
                post_id=int(post_id),
                body=body,
                to=lang,
                source=source,
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
