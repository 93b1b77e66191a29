"""The Messages pages' first paint, drawn by the server from the widgets the live page renders
(microblog/widgets/conversation.py) into the page's HTML; first_paint.py serves them, for the
signed-in reader's own conversations only. The list (`/messages`): a page of conversations, the
newest first. One conversation: its header and its newest page of messages, both sides, the
newest at the bottom.

The box to write in and "Load earlier messages" answer once the page is live, a moment later;
the scroller keeps its place for the box, so nothing moves when the live page replaces this.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from microblog.schemas import ConversationRow
from microblog.services.conversations import ConversationView
from microblog.widgets.conversation import (
    CONVERSATION_CLASS,
    CONVERSATION_HEAD,
    CONVERSATION_LIST,
    CONVERSATION_LOG,
)
from microblog.widgets.html import HtmlRenderer, fields_of


def conversations_html(rows: Sequence[ConversationRow], *, lang: str, now: datetime) -> str:
    """The Messages page's list as pages/messages.py draws it (first_paint.py adds the pager
    below it); every value escaped."""
    return HtmlRenderer(fields_of(conversations=list(rows)), lang=lang, now=now).node(
        CONVERSATION_LIST
    )


def conversation_html(view: ConversationView, *, lang: str, now: datetime) -> str:
    """The conversation as pages/conversation.py's section draws it, less the box to write in;
    every value escaped."""
    fields = fields_of(
        other_name=view.other.username,
        other_avatar=view.other.avatar_small,
        has_earlier=view.messages.has_next,
        messages=list(reversed(view.messages.items)),  # oldest first, as the page lists them
    )
    drawn = HtmlRenderer(fields, lang=lang, now=now).render(CONVERSATION_HEAD, CONVERSATION_LOG)
    return f'<section class="{CONVERSATION_CLASS}">{drawn}</section>'
