"""Create an account."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.form_field import form_field, submit_button
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.state.auth import RegisterState


def register_page() -> rx.Component:
    form = rx.card(
        rx.form(
            rx.vstack(
                form_field(
                    t("Username"),
                    "username",
                    RegisterState.username_error,
                    auto_complete="username",
                ),
                form_field(
                    t("Email"),
                    "email",
                    RegisterState.email_error,
                    type="email",
                    auto_complete="email",
                ),
                form_field(
                    t("Password"),
                    "password",
                    RegisterState.password_error,
                    type="password",
                    auto_complete="new-password",
                ),
                form_field(
                    t("Repeat password"),
                    "password2",
                    RegisterState.password2_error,
                    type="password",
                    auto_complete="new-password",
                ),
                rx.cond(
                    RegisterState.error != "",
                    rx.callout(
                        RegisterState.error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                    ),
                    rx.fragment(),
                ),
                submit_button(t("Register"), width="100%"),
                spacing="3",
                width="100%",
            ),
            on_submit=RegisterState.submit,
            reset_on_submit=False,
            # The server is the judge; the browser's own checks would hide our messages.
            no_validate=True,
        ),
        width="100%",
    )
    # When addresses are confirmed by email, the form gives way to "check your email".
    sent = rx.callout(RegisterState.notice, icon="mail", color_scheme="green", role="status")
    return layout(
        rx.heading(t("Register"), size="6"),
        rx.cond(RegisterState.notice != "", sent, form),
        rx.text(t("Already registered?"), " ", rx.link(t("Sign in"), href=routes.LOGIN)),
    )
