"""Pieces of the Messages pages: an unread count, one message of a conversation (a person's
avatar is components/avatar.py's)."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.i18n import t, t_plural
from microblog.components.timestamps import relative_time


def unread_count(count: rx.Var) -> rx.Component:
    """The number of unread messages, as a badge that screen readers read as a phrase."""
    return rx.el.span(
        rx.el.span(count, aria_hidden="true"),
        rx.el.span(
            t_plural("%(num)d unread message", "%(num)d unread messages", count),
            class_name="visually-hidden",
        ),
        class_name="unread-count",
    )


def chat_message(message: RowVar, other_name: rx.Var) -> rx.Component:
    """One message: mine on the right in the accent colour, theirs on the left; who wrote it
    is said to screen readers, which cannot see the sides."""
    return rx.el.div(
        rx.el.p(
            rx.el.span(
                rx.cond(message.mine, t("You:"), t("%(username)s:", username=other_name)),
                " ",
                class_name="visually-hidden",
            ),
            message.body,
            class_name="message-body",
        ),
        relative_time(message.timestamp),
        class_name=rx.cond(message.mine, "message mine", "message theirs"),
        data_message_id=message.id,
    )
