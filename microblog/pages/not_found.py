"""What unknown routes and unknown users show."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.i18n import t
from microblog.components.layout import layout


def not_found_content(
    message: str | rx.Var | None = None,
) -> rx.Component:
    return rx.vstack(
        rx.heading(t("Not Found"), size="7", class_name="not-found"),
        rx.text(t("The page you asked for does not exist.") if message is None else message),
        rx.link(t("Back to the home page"), href=routes.INDEX),
        spacing="3",
        padding_y="2rem",
        align="center",
        width="100%",
    )


def not_found_page() -> rx.Component:
    return layout(not_found_content())
