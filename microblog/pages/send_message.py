"""The old "send a message" address (`/send_message/<name>`): the conversation with that person
replaced the page, and its on_load leads there (state/conversation.py)."""

from __future__ import annotations

import reflex as rx

from microblog.components.layout import layout, loading


def send_message_page() -> rx.Component:
    return layout(loading())
