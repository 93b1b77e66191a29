"""Text a form sends to a handler, before a var keeps it.

A page var is sent back to the browser as UTF-8 JSON, which cannot carry a lone surrogate: a
var holding one (echoed from a crafted websocket event; a browser's own input cannot produce
it) would make every update of that tab fail to send, the error message included. So a handler
keeps typed text in a var only when it is storable (`services/text.py`, the same rule the
services apply before storing); otherwise it shows the rule's message beside the field and keeps
what was there before.
"""

from __future__ import annotations

import reflex as rx

from microblog.i18n import translate
from microblog.services.text import is_storable, unstorable_text_error
from microblog.state.locale import language_of


async def refused_text(state: rx.State, value: str) -> str:
    """'' when `value` may be kept in a var; otherwise the message to show, in the tab's
    language."""
    if is_storable(value):
        return ""
    return translate(unstorable_text_error(), await language_of(state))
