"""Search results (pages/search.py): the people who match, how many posts match, and the posts
with the searched words marked. The server draws them into the page's first paint
(web/search_first_paint.py) and the live page renders the same trees, so the results look the
same before and after the page goes live.

The people box and the sentence are plain elements with Radix Themes' classes (a card, a size 3
heading, gray text), as widgets/radix.py explains.
"""

from __future__ import annotations

from microblog.i18n import _l, _ln
from microblog.widgets.post_card import PERSON_SUMMARY, POST_CARD, POST_LIST_CLASS
from microblog.widgets.tree import Each, Field, Node, Say, Text, When, el

# A post's text cut into (text, hit) segments by the search service: the hits in `<mark>`,
# everything escaped (no engine's HTML highlighting is used).
HIGHLIGHTED_BODY = el(
    "p",
    Each(
        Field("segments"),
        When(Field("hit"), (el("mark", Field("text"), cls="search-hit"),), (Field("text"),)),
    ),
    cls="post-body",
)

PEOPLE = el(
    "div",
    el("h2", _l("People"), cls="rt-Heading rt-r-size-3"),
    Each(Field("users"), el("div", PERSON_SUMMARY, cls="search-user")),
    cls="rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface search-users",
)

# How many posts match, above them ("1,234", "10,000+"); `total` picks the plural form.
SUMMARY = el(
    "p",
    Text(
        Say(
            _ln("%(count)s post matches “%(query)s”", "%(count)s posts match “%(query)s”", 0),
            {"count": Field("count_text"), "query": Field("query")},
            count=Field("total"),
        )
    ),
    cls="rt-Text search-summary",
    data_accent_color="gray",
)

# What the server draws when posts match: the people box (when people match too), the count
# and the posts. The live page draws the same three, its cards with their live parts.
FOUND_POSTS: tuple[Node, ...] = (
    When(Field("users"), (PEOPLE,)),
    SUMMARY,
    el("div", Each(Field("posts"), POST_CARD), cls=POST_LIST_CLASS),
)
SEARCH_FILLS: dict[str, tuple[Node, ...]] = {"body": (HIGHLIGHTED_BODY,), "actions": ()}
"""What the server draws in a result card's slots: the text with its hits marked, and no Edit
or Delete (a result is edited in its conversation, as on the live page)."""

SEARCH_RESULTS_CLASS = "search-results"
