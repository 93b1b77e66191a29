"""Send a private message to the user named in the URL."""

from __future__ import annotations

import reflex as rx

from microblog.components.compose_form import compose_form
from microblog.components.layout import layout, loading
from microblog.state.messages import SendMessageState as S


def send_message_page() -> rx.Component:
    return layout(
        rx.cond(
            S.loaded,
            rx.cond(
                S.recipient_found,
                rx.vstack(
                    rx.heading("Send Message to ", S.recipient, size="6"),
                    rx.card(
                        compose_form(
                            label="Message",
                            name="message",
                            value=S.draft,
                            on_change=S.set_draft,
                            chars_left=S.chars_left,
                            error=S.error,
                            submit_label="Send",
                            on_submit=S.send,
                        ),
                        width="100%",
                    ),
                    rx.cond(
                        S.sent_to != "",
                        rx.callout(
                            "Your message to " + S.sent_to + " has been sent.",
                            icon="check",
                            color_scheme="green",
                            width="100%",
                            role="status",
                        ),
                        rx.fragment(),
                    ),
                    rx.link("Back to ", S.recipient, "'s profile", href=S.recipient_href),
                    spacing="4",
                    width="100%",
                ),
                rx.callout(
                    "There is no user called " + S.recipient + ".",
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                ),
            ),
            loading(),
        ),
    )
