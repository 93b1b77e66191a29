"""What an empty list says (widgets/empty_note.py), on the live page."""

from __future__ import annotations

import reflex as rx

from microblog.components.widget import ComponentRenderer, fields_of
from microblog.i18n.messages import Message
from microblog.widgets import empty_note as widget


def empty_note(message: Message, cls: str = "") -> rx.Component:
    """The note that says `message`, as the server draws it too."""
    return ComponentRenderer(fields_of(None)).node(widget.empty_note(message, cls))
