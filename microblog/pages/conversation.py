"""A conversation: both sides, the newest at the bottom, "Load earlier messages" above, and the
box to write in below."""

from __future__ import annotations

import reflex as rx

from microblog.components.avatar import person_avatar
from microblog.components.compose_form import compose_form
from microblog.components.conversation import chat_message
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.routes import MESSAGES
from microblog.state.conversation import ConversationState as C


def _header() -> rx.Component:
    return rx.el.div(
        rx.link(
            rx.icon("arrow-left", size=16, aria_hidden="true"),
            t("All messages"),
            href=MESSAGES,
            class_name="conversation-back",
        ),
        rx.el.div(
            person_avatar(C.other_name, C.other_avatar, from_state=True),
            rx.heading(rx.link(C.other_name, href=C.profile_href), size="5", as_="h1"),
            class_name="conversation-who",
        ),
        class_name="conversation-head",
    )


def _log() -> rx.Component:
    """The messages in a scroller that starts at the bottom and stays there as messages arrive
    (its content is laid out bottom up: `column-reverse` in assets/microblog.css), while the
    text inside reads top down, oldest first."""
    return rx.el.div(
        rx.el.div(
            rx.cond(
                C.has_earlier,
                rx.button(
                    t("Load earlier messages"),
                    on_click=C.load_earlier,
                    variant="soft",
                    size="2",
                    class_name="load-earlier",
                ),
                rx.fragment(),
            ),
            rx.cond(
                C.messages.length() > 0,
                rx.foreach(C.messages, lambda message: chat_message(message, C.other_name)),
                rx.el.p(t("No messages yet: write the first one below."), class_name="chat-empty"),
            ),
            class_name="chat-log",
            role="log",
        ),
        class_name="chat-scroll",
        tab_index=0,
        aria_label=t("Conversation with %(username)s", username=C.other_name),
        role="region",
    )


def _conversation() -> rx.Component:
    return rx.el.section(
        _header(),
        _log(),
        compose_form(
            label=t("Message"),
            name="message",
            value=C.draft,
            on_change=C.set_draft,
            chars_left=C.chars_left,
            error=C.error,
            submit_label=t("Send"),
            on_submit=C.send,
            placeholder=t("Write to %(username)s", username=C.other_name),
        ),
        class_name="conversation-page",
    )


def conversation_page() -> rx.Component:
    return layout(
        rx.cond(
            C.loaded_here(),
            rx.cond(
                C.not_found,
                rx.callout(
                    t("There is no user called %(username)s.", username=C.other_name),
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                ),
                rx.cond(
                    C.problem != "",
                    rx.callout(C.problem, icon="info", color_scheme="gray", width="100%"),
                    _conversation(),
                ),
            ),
            loading(),
        ),
    )
