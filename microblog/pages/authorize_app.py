"""The consent page of the Mastodon client API's sign-in: which app asks for what, Authorize
or Deny (state/oauth_apps.py)."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components import RowVar
from microblog.components.i18n import t, t_stored
from microblog.components.layout import layout, loading
from microblog.state.oauth_apps import AuthorizeAppState as A


def scope_item(scope: RowVar) -> rx.Component:
    """One scope in words, in the reader's language, and its name."""
    return rx.el.li(t_stored(scope.msgid), " (", rx.el.code(scope.scope), ")")


def _request() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(
                t("%(app)s wants to use your Microblog account.", app=A.app_name),
                weight="bold",
                id="consent-app",
            ),
            rx.cond(
                A.website != "",
                rx.text(t("Its website: %(website)s", website=A.website), size="2"),
            ),
            rx.text(t("It asks to:"), size="2"),
            rx.el.ul(
                rx.foreach(A.scopes, scope_item),
                id="consent-scopes",
                class_name="consent-scopes",
            ),
            rx.text(
                t("You can take this back at any time on Authorized apps."),
                size="2",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.button(t("Authorize"), on_click=A.authorize, id="consent-authorize"),
                rx.button(
                    t("Deny"),
                    on_click=A.deny,
                    variant="soft",
                    color_scheme="gray",
                    id="consent-deny",
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _code() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t("Copy this code into the app to finish signing in:")),
            rx.code(A.code, id="consent-code", size="4", style={"word_break": "break-all"}),
            spacing="3",
        ),
        width="100%",
    )


def _refused() -> rx.Component:
    return rx.callout(A.error, icon="triangle-alert", color_scheme="red", role="alert")


def authorize_app_page() -> rx.Component:
    return layout(
        rx.heading(t("Authorize an app"), size="6"),
        rx.cond(
            A.loaded_here(),
            rx.vstack(
                rx.cond(A.error != "", _refused()),
                rx.cond(
                    A.code != "",
                    _code(),
                    rx.cond(A.app_name != "", _request()),
                ),
                rx.link(t("Authorized apps"), href=routes.AUTHORIZED_APPS),
                spacing="3",
                width="100%",
            ),
            loading(),
        ),
    )
