"""The Notifications page (`/notifications`): one line per notification or group, the newest
first: the kind's icon, what happened (a link to where it happened), "new" while unread, and
when. The server draws the lines into the page's first paint (web/notifications_first_paint.py)
and the live page renders the same tree.

Fields: notifications (rows of schemas.NotificationRow with their message spelled out,
`with_message()`). A line is a plain element with Radix Themes' card classes, and the icons
are lucide's (the icon set of Reflex's `rx.icon`) as plain SVG, as widgets/radix.py explains.
"""

from __future__ import annotations

from microblog.i18n import _l
from microblog.widgets.icons import line_icon
from microblog.widgets.radix import LINK
from microblog.widgets.tree import (
    Each,
    El,
    Eq,
    Field,
    Link,
    Moment,
    Node,
    RowMessage,
    Text,
    When,
    el,
    ne,
)


def _icon(*parts: El) -> El:
    """A lucide icon at 18 px (widgets/icons.py)."""
    return line_icon(18, *parts)


ICONS: dict[str, El] = {
    "follower": _icon(
        el("path", d="M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2"),
        el("circle", cx="9", cy="7", r="4"),
        el("line", x1="19", x2="19", y1="8", y2="14"),
        el("line", x1="22", x2="16", y1="11", y2="11"),
    ),
    "message": _icon(
        el("path", d="m22 7-8.991 5.727a2 2 0 0 1-2.009 0L2 7"),
        el("rect", x="2", y="4", width="20", height="16", rx="2"),
    ),
    "announcement": _icon(
        el(
            "path",
            d="M11 6a13 13 0 0 0 8.4-2.8A1 1 0 0 1 21 4v12a1 1 0 0 1-1.6.8A13 13 0 0 0 11 14H5a2 "
            "2 0 0 1-2-2V8a2 2 0 0 1 2-2z",
        ),
        el("path", d="M6 14a12 12 0 0 0 2.4 7.2 2 2 0 0 0 3.2-2.4A8 8 0 0 1 10 14"),
        el("path", d="M8 6v8"),
    ),
    "export": _icon(
        el(
            "path",
            d="M6 22a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h8a2.4 2.4 0 0 1 1.704.706l3.588 3.588A2.4 2.4 "
            "0 0 1 20 8v12a2 2 0 0 1-2 2z",
        ),
        el("path", d="M14 2v5a1 1 0 0 0 1 1h5"),
        el("path", d="M12 18v-6"),
        el("path", d="m9 15 3 3 3-3"),
    ),
    "reply": _icon(
        el(
            "path",
            d="M2.992 16.342a2 2 0 0 1 .094 1.167l-1.065 3.29a1 1 0 0 0 1.236 1.168l3.413-.998a2 "
            "2 0 0 1 1.099.092 10 10 0 1 0-4.777-4.719",
        ),
    ),
    "mention": _icon(
        el("circle", cx="12", cy="12", r="4"),
        el("path", d="M16 8v5a3 3 0 0 0 6 0v-1a10 10 0 1 0-4 8"),
    ),
    "like": _icon(
        el(
            "path",
            d="M2 9.5a5.5 5.5 0 0 1 9.591-3.676.56.56 0 0 0 .818 0A5.49 5.49 0 0 1 22 9.5c0 "
            "2.29-1.5 4-3 5.5l-5.492 5.313a2 2 0 0 1-3 .019L5 15c-1.5-1.5-3-3.2-3-5.5",
        ),
    ),
    "boost": _icon(
        el("path", d="m2 9 3-3 3 3"),
        el("path", d="M13 18H7a2 2 0 0 1-2-2V6"),
        el("path", d="m22 15-3 3-3-3"),
        el("path", d="M11 6h6a2 2 0 0 1 2 2v10"),
    ),
}
BELL = _icon(
    el("path", d="M10.268 21a2 2 0 0 0 3.464 0"),
    el(
        "path",
        d="M3.262 15.326A1 1 0 0 0 4 17h16a1 1 0 0 0 .74-1.673C19.41 13.956 18 12.499 18 8A6 6 "
        "0 0 0 6 8c0 4.499-1.411 5.956-2.738 7.326",
    ),
)
"""The icon of a kind without one of its own."""


def _kind_icon() -> Node:
    """The icon of the line's kind, the bell for any other."""
    chosen: Node = BELL
    for kind, icon in reversed(ICONS.items()):
        chosen = When(Eq(Field("kind"), kind), (icon,), (chosen,))
    return chosen


_TEXT = el("p", Text(RowMessage()), cls="rt-Text notification-text")

NOTIFICATION_LINE = el(
    "div",
    el(
        "div",
        _kind_icon(),
        When(ne(Field("href"), ""), (Link(Field("href"), (_TEXT,), cls=LINK),), (_TEXT,)),
        When(
            Field("unread"),
            (
                el(
                    "span",
                    _l("new"),
                    cls="rt-reset rt-Badge rt-r-size-1 rt-variant-soft",
                    data_accent_color="indigo",
                ),
            ),
        ),
        el(
            "p",
            Moment(Field("timestamp")),
            cls="rt-Text rt-r-size-2 notification-time",
            data_accent_color="gray",
        ),
        cls="notification-line",
    ),
    cls="rt-reset rt-BaseCard rt-Card rt-r-size-1 rt-variant-surface notification",
    data_kind=Field("kind"),
)

NOTIFICATION_LIST = el(
    "div", Each(Field("notifications"), NOTIFICATION_LINE), cls="notification-list"
)
"""The page's lines, as the server draws them for a reader with notifications and as the live
page renders them."""
