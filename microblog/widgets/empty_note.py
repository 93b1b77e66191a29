"""What a list says when it has nothing to show ("No replies yet.", "No posts yet.", or why a
profile shows no posts): a grey note with an info icon, drawn with Radix Themes' callout classes
(widgets/radix.py says why plain elements). The server draws it in a page's first paint where
the list is empty, so the page says so at once instead of showing a spinner, and the live page
draws the same note."""

from __future__ import annotations

from microblog.i18n import _l
from microblog.i18n.messages import Message
from microblog.widgets.icons import line_icon
from microblog.widgets.tree import El, el

EMPTY_NOTE_CLASS = "empty-note"

# What each list says when it is empty, for both renderings.
NO_POSTS = _l("No posts yet.")
NO_POSTS_AT_HOME = _l("Nothing here yet. Post something, or follow people from Explore.")
NO_POSTS_WITH_TAG = _l("No posts with this tag yet.")
NO_REPLIES = _l("No replies yet.")
NO_CONVERSATIONS = _l("No conversations yet. Start one from someone's profile.")
NO_NOTIFICATIONS = _l(
    "Nothing yet. Replies, mentions, likes, boosts, new followers and messages show up here."
)
# A profile's tab in place of its rows (services/profile.py's safety rules).
NOT_AVAILABLE = _l("This account is not available to you.")
YOU_BLOCKED = _l("You blocked this account. Its posts are hidden from you.")

# lucide's info, at the size Radix's callout gives `rx.icon`.
INFO_ICON = line_icon(
    24, el("circle", cx="12", cy="12", r="10"), el("path", d="M12 16v-4"), el("path", d="M12 8h.01")
)


def empty_note(message: Message, cls: str = "") -> El:
    """The note that says `message` where a list is empty, with the classes `cls`."""
    return el(
        "div",
        el("div", INFO_ICON, cls="rt-CalloutIcon"),
        el("p", message, cls="rt-Text rt-r-size-2 rt-CalloutText"),
        cls=f"rt-CalloutRoot rt-r-size-2 rt-variant-soft {EMPTY_NOTE_CLASS} {cls}".strip(),
        data_accent_color="gray",
    )
