"""A conversation: both sides, the newest at the bottom, "Load earlier messages" above, and the
box to write in below. Until the page's data arrives, what the server drew into the page's HTML
shows (web/first_paint.py: the same header and log, from the same widgets)."""

from __future__ import annotations

import reflex as rx

from microblog.components.compose_form import compose_form
from microblog.components.conversation import conversation_parts
from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.state.conversation import ConversationState as C
from microblog.widgets.conversation import CONVERSATION_CLASS


def _conversation() -> rx.Component:
    return rx.el.section(
        *conversation_parts(C),
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
        class_name=CONVERSATION_CLASS,
    )


def conversation_page() -> rx.Component:
    return layout(
        feed_first_paint(
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
        ),
    )
