"""Log in with username or email."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.form_field import check_field, form_field, submit_button
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.state.auth import LoginState
from microblog.state.confirm_email import ConfirmEmailState


def login_page() -> rx.Component:
    return layout(
        rx.heading(t("Sign In"), size="6"),
        rx.cond(
            LoginState.notice != "",
            rx.callout(LoginState.notice, icon="info", color_scheme="green"),
            rx.fragment(),
        ),
        rx.card(
            rx.form(
                rx.vstack(
                    form_field(
                        t("Username or email"), "login", auto_complete="username", required=True
                    ),
                    form_field(
                        t("Password"),
                        "password",
                        type="password",
                        auto_complete="current-password",
                        required=True,
                    ),
                    check_field(t("Remember me"), "remember_me"),
                    rx.cond(
                        LoginState.error != "",
                        rx.callout(
                            LoginState.error,
                            icon="triangle-alert",
                            color_scheme="red",
                            role="alert",
                        ),
                        rx.fragment(),
                    ),
                    submit_button(t("Sign In"), width="100%"),
                    resend_offer(),
                    spacing="3",
                    width="100%",
                ),
                on_submit=LoginState.submit,
                reset_on_submit=False,
            ),
            width="100%",
        ),
        rx.text(t("New user?"), " ", rx.link(t("Click to Register!"), href=routes.REGISTER)),
        rx.text(
            t("Forgot your password?"),
            " ",
            rx.link(t("Click to Reset It"), href=routes.RESET_PASSWORD_REQUEST),
        ),
    )


def resend_offer() -> rx.Component:
    """After the right password of an account whose address is not confirmed yet."""
    return rx.cond(
        ConfirmEmailState.can_resend,
        rx.vstack(
            rx.button(
                t("Send the confirmation link again"),
                type="button",
                variant="soft",
                width="100%",
                on_click=ConfirmEmailState.resend,
            ),
            rx.cond(
                ConfirmEmailState.resend_notice != "",
                rx.callout(
                    ConfirmEmailState.resend_notice,
                    icon="mail",
                    color_scheme="green",
                    role="status",
                ),
                rx.fragment(),
            ),
            spacing="2",
            width="100%",
        ),
        rx.fragment(),
    )
