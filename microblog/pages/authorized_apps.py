"""The apps a user has let into their account through the Mastodon client API, each with what
it may do and a Revoke button that ends its access at once (state/oauth_apps.py)."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.components.timestamps import relative_time
from microblog.pages.authorize_app import scope_item
from microblog.state.oauth_apps import AuthorizedAppsState as S


def _row(row: RowVar) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row.app_name, weight="bold"),
            rx.cond(row.website != "", rx.text(row.website, size="2")),
            rx.el.ul(rx.foreach(row.scopes, scope_item), class_name="consent-scopes"),
            rx.text(
                t("Authorized"),
                " ",
                relative_time(row.created),
                size="2",
                color_scheme="gray",
            ),
            rx.button(
                t("Revoke"),
                on_click=S.revoke(row.token_id),
                color_scheme="red",
                variant="soft",
                aria_label=t("Revoke %(app)s", app=row.app_name),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="authorized-app",
    )


def authorized_apps_page() -> rx.Component:
    return layout(
        rx.heading(t("Authorized apps"), size="6"),
        rx.text(
            t("Apps you signed in to with your Microblog account (Mastodon clients)."),
            size="2",
        ),
        rx.cond(
            S.loaded_here(),
            rx.vstack(
                rx.cond(
                    S.notice != "",
                    rx.callout(S.notice, icon="circle-check", color_scheme="green", role="status"),
                ),
                rx.cond(
                    S.rows.length() > 0,
                    rx.vstack(rx.foreach(S.rows, _row), spacing="3", width="100%"),
                    rx.text(t("No app has access to your account."), id="no-apps"),
                ),
                spacing="3",
                width="100%",
            ),
            loading(),
        ),
    )
