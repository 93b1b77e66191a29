"""A post's text, translated in place on request: the states of the card's "Translate" (offered
under posts written in another language than the reader's: widgets/post_card.py `TRANSLATE`),
and "Show original" to go back. Not offered to visitors, when no translation service is
configured, or when the post's language is unknown."""

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


def translation_fields(post: RowVar) -> dict[str, rx.Var]:
    """What the card's Translate (widgets/post_card.py `TRANSLATE`) reads of the reader here:
    whether they may translate (signed in, a service configured), the language the page's
    labels are in (so the offer and the text agree from the first render), and whether this
    post's translation is open."""
    return {
        "can_translate": T.enabled & SessionState.is_authenticated,
        "reader_lang": reader_language(),
        "translated": T.translations.contains(_key(post)),
    }


def translation_states(post: RowVar, offer: rx.Component) -> rx.Component:
    """The widget's `translate` slot: `offer` (Translate, as the server draws it), then
    "Translating…" while the service answers, "Show original" once the translation is shown,
    and the service's error beside them."""
    key = _key(post)
    return rx.fragment(
        rx.cond(
            T.translations.contains(key),
            rx.el.button(
                t("Show original"),
                type="button",
                on_click=T.show_original(post.id),
                class_name="translate-link show-original",
            ),
            rx.cond(
                T.pending.contains(key),
                rx.el.span(t("Translating…"), class_name="translate-pending", role="status"),
                offer,
            ),
        ),
        rx.cond(
            T.errors.contains(key),
            rx.el.span(T.errors[key], class_name="translate-error", role="alert"),
            rx.fragment(),
        ),
    )
