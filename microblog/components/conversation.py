"""Pieces of the Messages pages: an unread count, and one conversation's header and log, drawn
from their widgets (microblog/widgets/conversation.py), which the server also draws into the
page's first paint (web/first_paint.py). A person's avatar is components/avatar.py's."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import t_plural
from microblog.components.widget import ComponentRenderer, fields_of
from microblog.widgets.conversation import CONVERSATION_HEAD, CONVERSATION_LOG


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


def conversation_parts(state: type[rx.State]) -> list[rx.Component]:
    """The header and the log of messages of `state`'s conversation (its fields as the widgets
    name them; `load_earlier` answers the button above the oldest message)."""
    renderer = ComponentRenderer(
        fields_of(state),
        actions={"load_earlier": state.load_earlier},  # type: ignore[attr-defined]
    )
    return [renderer.node(CONVERSATION_HEAD), renderer.node(CONVERSATION_LOG)]
