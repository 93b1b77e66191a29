"""One post in a feed: the author's avatar and name, "said", when, and the text.

The live page fills the slots: `author` (the name, wrapped in the user card shown on hover),
`actions` (Delete on the reader's own posts), `body` (the text or its translation, or search
highlights) and `after_body` (Translate). The server draws the name as a plain link and the
text as it was written.
"""

from __future__ import annotations

from microblog.i18n import _l
from microblog.widgets.tree import Avatar, Field, Link, Moment, Node, Profile, Slot, Value, el


def avatar_link(username: Value, picture: Value) -> Node:
    """A user's avatar linking to their profile. The name beside it is the same link and
    carries the user card, so this one is hidden from screen readers and the tab order (one
    link per person, not two)."""
    return Link(
        Profile(username),
        (Avatar(username, picture, "post-avatar"),),
        cls="post-avatar-link",
        attrs={"aria-hidden": "true", "tabindex": -1},
    )


def name_link(username: Field | str) -> Node:
    """A user's name linking to their profile; on the live page the slot `author` wraps it in
    the user card shown on hover."""
    return Slot("author", (Link(Profile(username), (username,), cls="post-author user-link"),))


AUTHOR = Field("author_username")

POST_CARD = el(
    "article",
    avatar_link(AUTHOR, Field("author_avatar")),
    el(
        "div",
        el(
            "div",
            name_link(AUTHOR),
            el("span", _l("said"), cls="post-meta"),
            el("span", Moment(Field("timestamp"), "relative"), cls="post-meta"),
            Slot("actions"),
            cls="post-header",
        ),
        Slot("body", (el("p", Field("body"), cls="post-body", lang=Field("language")),)),
        Slot("after_body"),
        cls="post-main",
    ),
    cls="post",
    data_post_id=Field("id"),
)

POST_LIST_CLASS = "post-list"
