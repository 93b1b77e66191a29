"""The page a confirmation link opens: the address is confirmed (log in now), or why not."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.state.confirm_email import ConfirmEmailState as C


def confirm_email_page() -> rx.Component:
    confirmed = rx.vstack(
        rx.callout(
            t("Your email address is confirmed. You can log in now."),
            icon="circle-check",
            color_scheme="green",
            role="status",
        ),
        rx.link(t("Sign in"), href=routes.LOGIN),
    )
    refused = rx.vstack(
        rx.callout(C.error, icon="triangle-alert", color_scheme="red", role="alert"),
        rx.link(t("Sign in"), href=routes.LOGIN),
    )
    return layout(
        rx.heading(t("Confirm your email address"), size="6"),
        rx.cond(C.loaded_here(), rx.cond(C.confirmed, confirmed, refused), loading()),
    )
