"""A profile's header: the card (avatar, name, about me, last seen, counts, what the reader can
do) and the tabs (Posts, Followers, Following).

Fields: username, avatar, about_me, last_seen, followers_count, following_count, is_self,
signed_in (the reader is signed in), is_following, send_message_href, tab. Actions: follow,
unfollow, export. The live page fills the slots `export` (the export button and its bar) and
`after_actions` (the export's notice, a follow error) and `menu` (Block, Mute, Report).
"""

from __future__ import annotations

from microblog import routes
from microblog.i18n import _l, _ln
from microblog.widgets.radix import button_class
from microblog.widgets.tree import (
    Avatar,
    Button,
    Concat,
    Eq,
    Field,
    Link,
    Moment,
    Node,
    Pick,
    Plural,
    Profile,
    Slot,
    When,
    el,
    ne,
)

PROFILE_TAB = "profile-tab"
"""One of the profile's tab links, styled as a button."""

# The notes in place of the tab's rows (widgets/empty_note.py): the account blocks the reader,
# or the reader blocked it.
PROFILE_UNAVAILABLE = "profile-unavailable"
PROFILE_BLOCKED = "profile-blocked"

TAB_LABELS = {"posts": _l("Posts"), "followers": _l("Followers"), "following": _l("Following")}

# The "more" menu's button (Block, Mute, Report): the server draws it disabled for a signed-in
# reader of someone else's profile; the live page makes it the menu's trigger
# (components/safety.py `profile_menu`).
MENU_BUTTON = Button(
    el("span", "⋯", aria_hidden="true"),
    "menu",
    cls="profile-menu-trigger",
    attrs={"aria-label": _l("More actions for this account"), "aria-haspopup": "menu"},
)

PROFILE_ACTIONS = el(
    "div",
    When(
        Field("is_self"),
        (
            Link(routes.EDIT_PROFILE, (_l("Edit your profile"),), cls=button_class("soft")),
            Slot("export", (Button(_l("Export your posts"), "export", button_class("soft")),)),
        ),
        (
            When(
                Field("signed_in"),
                (
                    When(
                        Field("is_following"),
                        (Button(_l("Unfollow"), "unfollow", button_class("outline")),),
                        (Button(_l("Follow"), "follow", button_class("solid")),),
                    ),
                    Link(
                        Field("send_message_href"),
                        (_l("Send private message"),),
                        cls=button_class("soft"),
                    ),
                    Slot("menu", (MENU_BUTTON,)),
                ),
            ),
        ),
    ),
    cls="profile-actions",
)

PROFILE_CARD = el(
    "div",
    Avatar(
        Field("username"),
        Field("avatar"),
        "post-avatar profile-avatar",
        # Decorative: the name is the heading beside it.
        attrs={"aria-hidden": "true"},
        picture_in_style=True,
    ),
    el(
        "div",
        el("h1", Field("username"), cls="profile-username"),
        When(ne(Field("about_me"), ""), (el("p", Field("about_me"), cls="about-me"),)),
        # How long ago, as the user card says it; the full date is the time's tip (focus, tap,
        # pointer). A date written in full took a second row on a phone once the browser's
        # formatter existed, after the first paint, and moved everything below it.
        el(
            "p",
            _l("Last seen"),
            " ",
            Moment(Field("last_seen")),
            cls="profile-meta last-seen",
        ),
        el(
            "p",
            el(
                "span",
                el("strong", Field("followers_count"), cls="followers-count"),
                " ",
                Plural(_ln("follower", "followers", 0), Field("followers_count")),
            ),
            el(
                "span",
                el("strong", Field("following_count"), cls="following-count"),
                " ",
                _l("following"),
            ),
            cls="profile-counts",
        ),
        PROFILE_ACTIONS,
        Slot("after_actions"),
        cls="profile-details",
    ),
    cls="profile-card",
)


def _tab(tab: str) -> Node:
    selected = Pick(Eq(Field("tab"), tab), button_class("solid"), button_class("ghost"))
    return Link(
        Profile(Field("username"), tab=tab),
        (TAB_LABELS[tab],),
        cls=Concat((selected, " ", PROFILE_TAB)),
    )


PROFILE_TABS = el(
    "nav",
    *(_tab(tab) for tab in TAB_LABELS),
    cls="profile-tabs",
    aria_label=_l("Profile sections"),
)
