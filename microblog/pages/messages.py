"""Messages: the private messages you received, newest first; opening the page reads them."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.components.pager import pager
from microblog.components.post_card import avatar_link, name_link
from microblog.components.timestamps import relative_time
from microblog.state.messages import MessagesState


def message_card(message: RowVar) -> rx.Component:
    return rx.card(
        rx.hstack(
            avatar_link(message.sender_username, message.sender_avatar),
            rx.vstack(
                rx.hstack(
                    name_link(message.sender_username),
                    rx.text(relative_time(message.timestamp), color_scheme="gray", size="2"),
                    rx.cond(
                        message.unread, rx.badge(t("new"), color_scheme="indigo"), rx.fragment()
                    ),
                    spacing="2",
                    align="baseline",
                    wrap="wrap",
                ),
                rx.text(message.body, white_space="pre-wrap", class_name="message-body"),
                spacing="1",
                width="100%",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="message",
        data_message_id=message.id,
    )


def messages_page() -> rx.Component:
    return layout(
        rx.heading(t("Messages"), size="6"),
        rx.cond(
            MessagesState.loaded_here(),
            rx.vstack(
                rx.cond(
                    MessagesState.messages.length() > 0,
                    rx.vstack(
                        rx.foreach(MessagesState.messages, message_card),
                        spacing="3",
                        width="100%",
                    ),
                    rx.callout(
                        t("No messages yet. Send one from someone's profile."),
                        icon="info",
                        color_scheme="gray",
                        width="100%",
                    ),
                ),
                pager(
                    MessagesState.has_prev,
                    MessagesState.has_next,
                    MessagesState.newer_href,
                    MessagesState.older_href,
                    noun="messages",
                ),
                spacing="4",
                width="100%",
            ),
            loading(),
        ),
    )
