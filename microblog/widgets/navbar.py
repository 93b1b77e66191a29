"""The navbar's links for the reader: Messages, Notifications, (Announce,) Profile, Log out for
a signed-in reader; Log in, Register for a visitor.

Fields: user_name, user_avatar (the reader's picture beside Profile, over their initial),
logout_url (the backend's /auth/logout: a real navigation, which ends the session and its
HttpOnly cookie). The live page fills the slots `messages_badge`,
`notifications_badge` (the unread counts) `announce` (an administrator's link) and
`moderate` (a moderator's link to the moderation page).
"""

from __future__ import annotations

from microblog import routes
from microblog.i18n import _l
from microblog.widgets.radix import LINK_SIZE_3_MEDIUM
from microblog.widgets.tree import Avatar, Field, Link, Profile, Slot, el

NAV_ROW = "nav-session"
# The language menu's id: the build marks the reader's language in it in each language's page
# (web/page_languages.py), as the live menu (components/language_switcher.py) shows it.
LANGUAGE_SWITCHER_ID = "language-switcher"
NAV_LINK = f"{LINK_SIZE_3_MEDIUM} nav-link"
NAV_WITH_BADGE = "nav-with-badge"

SIGNED_IN = el(
    "div",
    el(
        "span",
        Link(routes.MESSAGES, (_l("Messages"),), cls=NAV_LINK),
        Slot("messages_badge"),
        cls=NAV_WITH_BADGE,
    ),
    el(
        "span",
        Link(routes.NOTIFICATIONS, (_l("Notifications"),), cls=NAV_LINK),
        Slot("notifications_badge"),
        cls=NAV_WITH_BADGE,
    ),
    Slot("announce"),
    Slot("moderate"),
    Link(
        Profile(Field("user_name")),
        (
            # Decorative: the link says "Profile".
            Avatar(
                Field("user_name"),
                Field("user_avatar"),
                "post-avatar nav-avatar",
                attrs={"aria-hidden": "true"},
                picture_in_style=True,
            ),
            el("span", _l("Profile")),
        ),
        cls=f"{NAV_LINK} nav-profile",
    ),
    Link(Field("logout_url"), (_l("Log out"),), cls=NAV_LINK, external=True),
    cls=NAV_ROW,
)

SIGNED_OUT = el(
    "div",
    Link(routes.LOGIN, (_l("Log in"),), cls=NAV_LINK),
    Link(routes.REGISTER, (_l("Register"),), cls=NAV_LINK),
    cls=NAV_ROW,
)
