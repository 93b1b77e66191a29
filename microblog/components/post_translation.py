"""A post's text, translated in place on request: the "Translate" link under posts written in
another language than the reader's, and "Show original" to go back. Hidden from visitors, when
no translation service is configured, or when the post's language is unknown."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.i18n import reader_language, t
from microblog.state.locale import LocaleState
from microblog.state.session import SessionState
from microblog.state.translation import TranslationState as T


def _key(post: RowVar) -> rx.Var:
    return post.id.to_string()


def post_text(post: RowVar, written: rx.Component) -> rx.Component:
    """The body as written (`written`, the card's rendered text), or its translation while the
    reader has one open."""
    key = _key(post)
    return rx.cond(
        T.translations.contains(key),
        rx.el.p(T.translations[key], class_name="post-body post-translated", lang=LocaleState.lang),
        written,
    )


def translate_link(post: RowVar) -> rx.Component:
    key = _key(post)
    # The language the labels are in, so the offer and the text agree from the first render.
    offered = (
        T.enabled
        & SessionState.is_authenticated
        & (post.language != "")
        & (post.language != reader_language())
    )
    return rx.cond(
        offered | T.translations.contains(key),
        rx.hstack(
            rx.cond(
                T.translations.contains(key),
                rx.button(
                    t("Show original"),
                    on_click=T.show_original(post.id),
                    size="1",
                    variant="ghost",
                    class_name="show-original",
                ),
                rx.cond(
                    T.pending.contains(key),
                    rx.text(t("Translating…"), size="1", color_scheme="gray"),
                    rx.button(
                        t("Translate"),
                        on_click=T.translate_post(post.id),
                        size="1",
                        variant="ghost",
                        class_name="translate-link",
                    ),
                ),
            ),
            rx.cond(
                T.errors.contains(key),
                rx.text(T.errors[key], size="1", color_scheme="red", role="alert"),
                rx.fragment(),
            ),
            spacing="2",
            align="center",
        ),
        rx.fragment(),
    )
