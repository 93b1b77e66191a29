"""Messages: your conversations, the most recent first; each leads to the conversation."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.avatar import person_avatar
from microblog.components.conversation import unread_count
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.components.pager import pager
from microblog.components.timestamps import relative_time
from microblog.state.live import LiveState
from microblog.state.messages import MessagesState as M


def conversation_row(item: RowVar) -> rx.Component:
    """One conversation, all of it a link to the conversation: who with, when, the newest
    message on one line (cut short by CSS) and the number of unread messages."""
    return rx.link(
        person_avatar(item.username, item.avatar),
        rx.el.div(
            rx.el.div(
                rx.el.span(item.username, class_name="conversation-name"),
                relative_time(item.last_timestamp),
                class_name="conversation-header",
            ),
            rx.el.p(
                rx.cond(
                    item.last_mine,
                    rx.el.span(t("You:"), " ", class_name="conversation-you"),
                    rx.fragment(),
                ),
                item.last_body,
                class_name="conversation-last",
            ),
            class_name="conversation-main",
        ),
        rx.cond(item.unread.to(int) > 0, unread_count(item.unread), rx.fragment()),
        href=item.href,
        underline="none",
        class_name=rx.cond(item.unread.to(int) > 0, "conversation unread", "conversation"),
        data_username=item.username,
    )


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
        ),
        rx.cond(
            M.loaded_here(),
            rx.vstack(
                rx.cond(
                    M.conversations.length() > 0,
                    rx.el.ul(
                        rx.foreach(M.conversations, lambda item: rx.el.li(conversation_row(item))),
                        class_name="conversation-list",
                    ),
                    rx.callout(
                        t("No conversations yet. Start one from someone's profile."),
                        icon="info",
                        color_scheme="gray",
                        width="100%",
                    ),
                ),
                pager(M.has_prev, M.has_next, M.newer_href, M.older_href, noun="conversations"),
                spacing="4",
                width="100%",
            ),
            loading(),
        ),
    )
