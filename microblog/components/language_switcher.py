"""The language menu in the navbar. Each language is named in itself (English, Español, 中文),
so a reader lost in a language they cannot read still finds their own."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import t
from microblog.i18n import LANGUAGES
from microblog.state.locale import LocaleState


def language_switcher() -> rx.Component:
    return rx.el.select(
        *(rx.el.option(name, value=code) for code, name in LANGUAGES.items()),
        value=LocaleState.lang,
        on_change=LocaleState.set_language,
        aria_label=t("Language"),
        title=t("Language"),
        id="language-switcher",
        class_name="language-switcher",
        style={
            "background": "transparent",
            "color": "inherit",
            "border": "1px solid var(--gray-a6)",
            "border_radius": "var(--radius-2)",
            "padding": "0.15rem 0.3rem",
            "font_size": "var(--font-size-2)",
        },
    )
