"""Newer / Older: the links to a list's neighbouring pages, below the list. The server draws
them in its first paint under the posts it drew (web/first_paint.py) and the live page draws
the same (components/pager.py), so the links are there without JavaScript (a reader without
scripts, a crawler) and nothing is added below the list when the page goes live.

Fields: has_prev, has_next (from the page's `has_prev` / `has_next`, never from a total count),
newer_href, older_href (`routes.page_url`). Each link is one link that looks like a button (a
link holding a button would be two tab stops for one control).
"""

from __future__ import annotations

from microblog.i18n import _l
from microblog.i18n.messages import Message
from microblog.widgets.icons import ARROW_LEFT, ARROW_RIGHT
from microblog.widgets.radix import button_class
from microblog.widgets.tree import El, Field, Link, When, el

PAGER_CLASS = "pager"

# Whole phrases, not "Newer " + noun: word order and agreement differ between languages.
LABELS: dict[str, tuple[Message, Message]] = {
    "posts": (_l("Newer posts"), _l("Older posts")),
    "conversations": (_l("Newer conversations"), _l("Older conversations")),
    "notifications": (_l("Newer notifications"), _l("Older notifications")),
    # Oldest first: the page before holds earlier replies.
    "replies": (_l("Earlier replies"), _l("Later replies")),
    "results": (_l("Newer results"), _l("Older results")),
    "": (_l("Newer"), _l("Older")),
}


def pager(noun: str) -> El:
    """The pager of a list of `noun` (a key of `LABELS`)."""
    newer, older = LABELS[noun]
    link = button_class("soft")
    return el(
        "div",
        When(
            Field("has_prev"),
            (Link(Field("newer_href"), (ARROW_LEFT, newer), cls=f"{link} pager-newer"),),
        ),
        When(
            Field("has_next"),
            (Link(Field("older_href"), (older, ARROW_RIGHT), cls=f"{link} pager-older"),),
        ),
        cls=PAGER_CLASS,
    )
