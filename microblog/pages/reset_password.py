"""Forgot your password: ask for a link, then set a new password through it."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.form_field import form_field, submit_button
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.state.password_reset import ResetPasswordState as R
from microblog.state.password_reset import ResetRequestState as Q


def reset_password_request_page() -> rx.Component:
    return layout(
        rx.heading(t("Reset Password"), size="6"),
        rx.card(
            rx.form(
                rx.vstack(
                    form_field(t("Email"), "email", type="email", auto_complete="email"),
                    submit_button(t("Request Password Reset"), width="100%"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=Q.submit,
                reset_on_submit=False,
            ),
            width="100%",
        ),
        rx.cond(
            Q.notice != "",
            rx.callout(Q.notice, icon="mail", color_scheme="green", role="status"),
            rx.fragment(),
        ),
        rx.cond(
            Q.error != "",
            rx.callout(Q.error, icon="triangle-alert", color_scheme="red", role="alert"),
            rx.fragment(),
        ),
        rx.link(t("Back to Sign In"), href=routes.LOGIN),
    )


def reset_password_page() -> rx.Component:
    form = rx.card(
        rx.form(
            rx.vstack(
                form_field(
                    t("New password"),
                    "password",
                    R.password_error,
                    type="password",
                    auto_complete="new-password",
                ),
                form_field(
                    t("Repeat new password"),
                    "password2",
                    R.password2_error,
                    type="password",
                    auto_complete="new-password",
                ),
                submit_button(t("Set New Password"), width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=R.submit,
            reset_on_submit=False,
        ),
        width="100%",
    )
    refused = rx.vstack(
        rx.callout(R.error, icon="triangle-alert", color_scheme="red", role="alert"),
        rx.link(t("Ask for a new link"), href=routes.RESET_PASSWORD_REQUEST),
    )
    return layout(
        rx.heading(t("Set a New Password"), size="6"),
        rx.cond(R.loaded_here(), rx.cond(R.token_ok, form, refused), loading()),
    )
