"""The Messages pages' parts: the list of conversations, and one conversation's header and log,
drawn from their widgets (microblog/widgets/conversation.py), which the server also draws into
the page's first paint (web/first_paint.py)."""

from __future__ import annotations

import reflex as rx

from microblog.components.widget import ComponentRenderer, fields_of
from microblog.widgets.conversation import CONVERSATION_HEAD, CONVERSATION_LIST, CONVERSATION_LOG


def conversation_list(state: type[rx.State]) -> rx.Component:
    """`state`'s conversations (its `conversations` rows), one link each."""
    return ComponentRenderer(fields_of(state)).node(CONVERSATION_LIST)


def conversation_parts(state: type[rx.State]) -> list[rx.Component]:
    """The header and the log of messages of `state`'s conversation (its fields as the widgets
    name them; `load_earlier` answers the button above the oldest message)."""
    renderer = ComponentRenderer(
        fields_of(state),
        actions={"load_earlier": state.load_earlier},  # type: ignore[attr-defined]
    )
    return [renderer.node(CONVERSATION_HEAD), renderer.node(CONVERSATION_LOG)]
