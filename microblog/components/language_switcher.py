"""The language menu in the navbar. Each language is named in itself (English, Español, 中文),
so a reader lost in a language they cannot read still finds their own."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import reader_language, t
from microblog.i18n import LANGUAGES
from microblog.state.locale import LocaleState
from microblog.widgets.navbar import LANGUAGE_SWITCHER_ID


def language_switcher() -> rx.Component:
    return rx.el.select(
        *(rx.el.option(name, value=code) for code, name in LANGUAGES.items()),
        # The language the page's text is in, also before the state arrives: the one the server
        # drew the page in (web/page_languages.py), or the visitor's stored choice.
        value=reader_language(),
        on_change=LocaleState.set_language,
        # Until the page is live nothing would answer a choice, and hydration would put the
        # old language back in the box: the choice would be lost without a word. Disabled, the
        # menu does not open until it can act (the pages' scripts load after the first paint,
        # web/scripts_after_paint.py).
        disabled=~rx.State.is_hydrated,
        aria_label=t("Language"),
        title=t("Language"),
        id=LANGUAGE_SWITCHER_ID,
        # Styled in assets/microblog.css: its own background and text colours, so it keeps its
        # contrast in both themes (a transparent one was measured against whatever lay behind).
        class_name="language-switcher",
    )


class LanguageSync(rx.Component):
    """Draws nothing: after the page's first render (in the language of the server's HTML, so
    React adopts that HTML) it switches the page to the reader's stored language before the
    first paint, and keeps `<html lang>` in step (assets/i18n/language_sync.js)."""

    library = "$/public/i18n/language_sync.js"
    tag = "LanguageSync"

    lang: rx.Var[str]
    state_key: rx.Var[str]


def language_sync() -> rx.Component:
    return LanguageSync.create(lang=LocaleState.lang, state_key=LocaleState.get_full_name())
