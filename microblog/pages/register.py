"""Create an account."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.form_field import form_field
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.state.auth import RegisterState


def register_page() -> rx.Component:
    return layout(
        rx.heading(t("Register"), size="6"),
        rx.card(
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
                    rx.button(t("Register"), type="submit", width="100%"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=RegisterState.submit,
                reset_on_submit=False,
                # The server is the judge; the browser's own checks would hide our messages.
                no_validate=True,
            ),
            width="100%",
        ),
        rx.text(t("Already registered?"), " ", rx.link(t("Sign in"), href=routes.LOGIN)),
    )
