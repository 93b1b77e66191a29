"""Messages: your conversations, the most recent first; each leads to the conversation. Until
the page's data arrives, what the server drew into the page's HTML shows (web/first_paint.py:
the same list, from the same widget)."""

from __future__ import annotations

import reflex as rx

from microblog.components.conversation import conversation_list
from microblog.components.empty_note import empty_note
from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.components.pager import pager
from microblog.state.live import LiveState
from microblog.state.messages import MessagesState as M
from microblog.widgets.empty_note import NO_CONVERSATIONS


def messages_page() -> rx.Component:
    return layout(
        rx.hstack(
            rx.heading(t("Messages"), size="6"),
            rx.cond(
                LiveState.unread_messages > 0,
                rx.button(
                    t("Mark all as read"),
                    on_click=M.mark_all_read,
                    variant="soft",
                    size="2",
                    class_name="mark-all-read",
                ),
                rx.fragment(),
            ),
            justify="between",
            align="center",
            width="100%",
            class_name="messages-head",
        ),
        feed_first_paint(
            M.loaded_here(),
            rx.vstack(
                rx.cond(
                    M.conversations.length() > 0,
                    conversation_list(M),
                    empty_note(NO_CONVERSATIONS),
                ),
                pager(M.has_prev, M.has_next, M.newer_href, M.older_href, noun="conversations"),
                spacing="4",
                width="100%",
            ),
        ),
    )
