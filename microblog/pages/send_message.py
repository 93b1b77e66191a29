"""Send a private message to the user named in the URL."""

from __future__ import annotations

import reflex as rx

from microblog.components.compose_form import compose_form
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.state.messages import SendMessageState as S


def send_message_page() -> rx.Component:
    return layout(
        rx.cond(
            S.loaded_here(),
            rx.cond(
                S.recipient_found,
                rx.vstack(
                    rx.heading(t("Send Message to %(username)s", username=S.recipient), size="6"),
                    rx.card(
                        compose_form(
                            label=t("Message"),
                            name="message",
                            value=S.draft,
                            on_change=S.set_draft,
                            chars_left=S.chars_left,
                            error=S.error,
                            submit_label=t("Send"),
                            on_submit=S.send,
                        ),
                        width="100%",
                    ),
                    rx.cond(
                        S.sent_to != "",
                        rx.callout(
                            t("Your message to %(username)s has been sent.", username=S.sent_to),
                            icon="check",
                            color_scheme="green",
                            width="100%",
                            role="status",
                        ),
                        rx.fragment(),
                    ),
                    rx.link(
                        t("Back to %(username)s's profile", username=S.recipient),
                        href=S.recipient_href,
                    ),
                    spacing="4",
                    width="100%",
                ),
                rx.callout(
                    t("There is no user called %(username)s.", username=S.recipient),
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                ),
            ),
            loading(),
        ),
    )
