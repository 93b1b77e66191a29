"""The Messages pages. The list of conversations (`/messages`): one row per person, the newest
conversation first (fields: conversations, rows of schemas.ConversationRow). One conversation
(`/messages/<name>`): its header (back to all messages, who it is with) and its log of
messages, both sides, oldest first inside a scroller laid out bottom up, so the newest is at
the bottom and in view (assets/microblog.css, `.chat-scroll`).

Fields of a conversation: other_name, other_avatar, has_earlier, messages (rows with id, body,
timestamp, mine). Action: load_earlier. The box to write in comes below with the live page
(pages/conversation.py); the scroller's height leaves room for it, so nothing moves when it
arrives.
"""

from __future__ import annotations

from microblog import routes
from microblog.i18n import _l, _ln
from microblog.widgets.icons import ARROW_LEFT
from microblog.widgets.radix import HEADING_SIZE_5, LINK, button_class
from microblog.widgets.tree import (
    Avatar,
    Button,
    Each,
    Field,
    Link,
    Moment,
    Pick,
    Profile,
    Say,
    Text,
    When,
    el,
    ne,
)

OTHER = Field("other_name")

CONVERSATION_HEAD = el(
    "div",
    Link(routes.MESSAGES, (ARROW_LEFT, _l("All messages")), cls=f"{LINK} conversation-back"),
    el(
        "div",
        Avatar(
            OTHER,
            Field("other_avatar"),
            "post-avatar",
            attrs={"aria-hidden": "true"},  # the name beside it says who
            picture_in_style=True,
        ),
        el("h1", Link(Profile(OTHER), (OTHER,), cls=LINK), cls=HEADING_SIZE_5),
        cls="conversation-who",
    ),
    cls="conversation-head",
)

THEIR_NAME = Say(_l("%(username)s:"), {"username": OTHER})

# One message: mine on the right in the accent colour, theirs on the left; who wrote it is said
# to screen readers, which cannot see the sides.
CHAT_MESSAGE = el(
    "div",
    el(
        "p",
        el(
            "span",
            When(
                Field("mine"), (_l("You:"),), (Text(Say(_l("%(username)s:"), {"username": OTHER})),)
            ),
            " ",
            cls="visually-hidden",
        ),
        Field("body"),
        cls="message-body",
    ),
    Moment(Field("timestamp")),
    cls=Pick(Field("mine"), "message mine", "message theirs"),
    data_message_id=Field("id"),
)

CONVERSATION_LOG = el(
    "div",
    el(
        "div",
        When(
            Field("has_earlier"),
            (
                Button(
                    _l("Load earlier messages"),
                    "load_earlier",
                    cls=f"{button_class('soft')} load-earlier",
                ),
            ),
        ),
        Each(
            Field("messages"),
            CHAT_MESSAGE,
            empty=(el("p", _l("No messages yet: write the first one below."), cls="chat-empty"),),
        ),
        cls="chat-log",
        role="log",
    ),
    cls="chat-scroll",
    tabindex=0,
    aria_label=Say(_l("Conversation with %(username)s"), {"username": OTHER}),
    role="region",
)

CONVERSATION_CLASS = "conversation-page"


# How many of their messages the reader has not read: the number, and for screen readers the
# phrase ("3 unread messages").
UNREAD_COUNT = el(
    "span",
    el("span", Field("unread"), aria_hidden="true"),
    el(
        "span",
        Text(
            Say(
                _ln("%(num)d unread message", "%(num)d unread messages", 0),
                {},  # the count is `num`
                count=Field("unread"),
            )
        ),
        cls="visually-hidden",
    ),
    cls="unread-count",
)

_UNREAD = ne(Field("unread"), 0)

# One conversation of the list, all of it a link to the conversation: who with, when, the newest
# message on one line (cut short by CSS) and the number of unread messages.
CONVERSATION_ROW = Link(
    Field("href"),
    (
        Avatar(Field("username"), Field("avatar"), "post-avatar", attrs={"aria-hidden": "true"}),
        el(
            "div",
            el(
                "div",
                el("span", Field("username"), cls="conversation-name"),
                Moment(Field("last_timestamp")),
                cls="conversation-header",
            ),
            el(
                "p",
                When(Field("last_mine"), (el("span", _l("You:"), " ", cls="conversation-you"),)),
                Field("last_body"),
                cls="conversation-last",
            ),
            cls="conversation-main",
        ),
        When(_UNREAD, (UNREAD_COUNT,)),
    ),
    cls=Pick(_UNREAD, "conversation unread", "conversation"),
    attrs={"data-username": Field("username")},
)

CONVERSATION_LIST = el(
    "ul", Each(Field("conversations"), el("li", CONVERSATION_ROW)), cls="conversation-list"
)
"""The Messages page's list, as the server draws it for a reader with conversations and as the
live page renders it."""
