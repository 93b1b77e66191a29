"""The thread page's own parts around its post cards: the note that the conversation began at a
post since deleted, the reply box's opener and the replies' heading. The live page
(pages/thread.py) and the server's drawing (web/first_paint.py) draw the same parts, so the
replies stay where they are when the page goes live.

The reply box opens when asked for, as on other microblogs: a line that reads "Write your
reply" (a visitor is offered to log in instead), which the live page replaces with the form,
its text area taking the focus. A form drawn open by the live page only would push the replies
down by its height (240-280 px) when the page went live.
"""

from __future__ import annotations

from microblog import routes
from microblog.i18n import _l
from microblog.widgets.tree import Button, Field, Link, When, el

THREAD_CUT = When(
    Field("earlier_deleted"),
    (
        el(
            "p",
            _l("An earlier post in this conversation was deleted."),
            cls="thread-cut",
            role="note",
        ),
    ),
)

REPLY_OPENER = When(
    Field("signed_in"),
    (Button(el("span", _l("Write your reply")), "open_reply", cls="reply-opener"),),
    (el("p", Link(routes.LOGIN, (_l("Log in to reply"),)), cls="reply-login"),),
)

REPLIES_HEADING = el("h2", _l("Replies"), cls="rt-Heading rt-r-size-4 thread-replies-heading")
