"""One post in a feed: who boosted it, the author's avatar and name, "said", when, "edited",
what it replies to, the text, its first link's preview card, and the action bar (Reply, Like,
Boost with their counts).

The live page fills the slots: `author` (the name, wrapped in the user card shown on hover),
`delete` (Delete opens its confirmation), `edited` (the marker opens the version history), `body`
(the text, its translation, search highlights or the edit box) and `translate` (the
translation's states); `actions` is emptied where the card's list cannot edit (search results).
The server draws the name as a plain link, the text as it was rendered when written, and the
buttons disabled until the page is live. Besides its row's fields, a card reads its reader's
(`reader_fields`).

Like and Boost are toggle buttons (`aria-pressed` says whether the reader has); a visitor sees
the counts and is sent to log in by the handler when pressing one.
"""

from __future__ import annotations

from microblog.i18n import _l
from microblog.i18n.messages import Message
from microblog.services.rich_text import LINK_REL
from microblog.widgets.tree import (
    And,
    Avatar,
    Button,
    Each,
    Eq,
    Field,
    Link,
    Moment,
    Node,
    Or,
    Pick,
    Picture,
    Profile,
    Say,
    Slot,
    Text,
    Thread,
    TrustedHtml,
    Value,
    When,
    el,
    ne,
)


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


# A person in a list (search results, followers, following): avatar, name and their "about me"
# when they wrote one, laid out as Radix Themes' stacks lay it out (widgets/radix.py).
PERSON_SUMMARY = el(
    "div",
    avatar_link(Field("username"), Field("avatar")),
    el(
        "div",
        name_link(Field("username")),
        When(
            ne(Field("about_me"), ""),
            (el("p", Field("about_me"), cls="rt-Text rt-r-size-2", data_accent_color="gray"),),
        ),
        cls="rt-Flex rx-Stack rt-r-fd-column rt-r-ai-start rt-r-gap-1",
    ),
    cls="rt-Flex rx-Stack rt-r-fd-row rt-r-ai-center rt-r-gap-3",
)

AUTHOR = Field("author_username")
BOOSTED_BY = Field("boosted_by")
REPLY_TO = Field("reply_to_username")


def _pressed(flag: Field) -> Pick:
    return Pick(flag, "true", "false")


def _count(value: Field) -> Node:
    return el("span", value, cls="post-action-count")


BOOST_LINE = When(
    ne(BOOSTED_BY, ""),
    (
        el(
            "p",
            el("span", _l("Boosted by"), cls="post-context-label"),
            Link(Profile(BOOSTED_BY), (BOOSTED_BY,), cls="user-link"),
            cls="post-context post-boosted-by",
        ),
    ),
)

# "replying to @name": the conversation when the post answered is still there, else the person.
REPLY_LINE = When(
    ne(REPLY_TO, ""),
    (
        el(
            "p",
            el("span", _l("Replying to"), cls="post-context-label"),
            When(
                ne(Field("reply_to_id"), 0),
                (Link(Thread(Field("reply_to_id")), ("@", REPLY_TO), cls="user-link"),),
                (Link(Profile(REPLY_TO), ("@", REPLY_TO), cls="user-link"),),
            ),
            cls="post-context post-replying-to",
        ),
    ),
)

# "edited" and when: a button that opens the version history on the live page.
EDITED_MARKER = When(
    ne(Field("edited_at"), ""),
    (
        Slot(
            "edited",
            (
                Button(
                    el("span", _l("edited"), " ", Moment(Field("edited_at"))),
                    "history",
                    cls="post-meta post-edited",
                    attrs={"aria-haspopup": "dialog"},
                ),
            ),
        ),
    ),
)

# The post's pictures: a grid of thumbnails, each drawn over its blurhash at its own aspect
# ratio (so the card has its final height before any picture loads). A thumbnail is a button
# that opens the full picture in a dialog (assets/media.js: Escape closes it, focus goes back);
# a picture with alt text has an "ALT" badge that shows the text (a native disclosure, so it
# works from the keyboard and before the page is live).
_ALT = Field("description")
_NAMED = ne(_ALT, "")
MEDIA_GRID = When(
    Field("media"),
    (
        el(
            "div",
            Each(
                Field("media"),
                el(
                    "div",
                    el(
                        "button",
                        Picture(
                            Field("preview_url"),
                            Pick(_NAMED, _ALT, _l("A picture without a description")),
                            Field("thumb_width"),
                            Field("thumb_height"),
                            Field("placeholder"),
                            cls="post-media-thumb",
                        ),
                        cls="post-media-open",
                        type="button",
                        aria_haspopup="dialog",
                        title=_l("Open the picture"),
                        data_full=Field("url"),
                        data_close=_l("Close"),
                        data_width=Field("width"),
                        data_height=Field("height"),
                    ),
                    When(
                        _NAMED,
                        (
                            el(
                                "details",
                                el(
                                    "summary",
                                    _l("ALT"),
                                    cls="post-media-alt-badge",
                                    title=_l("Show the picture's description"),
                                ),
                                el("p", _ALT, cls="post-media-alt-text"),
                                cls="post-media-alt",
                            ),
                        ),
                    ),
                    cls="post-media-item",
                ),
            ),
            cls="post-media",
            role="group",
            aria_label=_l("Pictures"),
        ),
    ),
)

CARD_URL = Field("card_url")
CARD_IMAGE = Field("card_image")
CARD_DESCRIPTION = Field("card_description")

# The first link's preview (services/link_cards.py), once fetched: one link around the picture,
# the title, two lines of description and the domain. It opens in a new tab (the reader stays
# on the feed), which its hidden words say; the picture is our own copy, lazy, and decorative
# (the title says what the link is). Everything in it is text, escaped by both renderers.
LINK_CARD = When(
    ne(CARD_URL, ""),
    (
        el(
            "a",
            When(
                ne(CARD_IMAGE, ""),
                (
                    el(
                        "img",
                        cls="link-card-image",
                        src=CARD_IMAGE,
                        alt="",
                        loading="lazy",
                        decoding="async",
                    ),
                ),
            ),
            el(
                "span",
                el("span", Field("card_title"), cls="link-card-title"),
                When(
                    ne(CARD_DESCRIPTION, ""),
                    (el("span", CARD_DESCRIPTION, cls="link-card-description"),),
                ),
                el("span", Field("card_domain"), cls="link-card-domain"),
                el("span", _l("(opens in a new tab)"), cls="visually-hidden"),
                cls="link-card-text",
            ),
            cls="link-card",
            href=CARD_URL,
            target="_blank",
            rel=LINK_REL,
        ),
    ),
)

# The "more" menu's button (Report, Mute, Block; on a conversation, Mute conversation): only
# the live page draws it, as a Radix dropdown's trigger for signed-in readers on others' posts
# (components/safety.py). The server draws nothing there (it would be a dead button for
# visitors and on one's own posts); the header keeps room for it, so nothing moves.
MENU_BUTTON = Button(
    el("span", "⋯", aria_hidden="true"),
    "menu",
    cls="post-menu-trigger",
    attrs={"aria-label": _l("More actions for this post"), "aria-haspopup": "menu"},
)


# Edit and Delete, on the reader's own posts only (`reader_id`: the signed-in reader, 0 for a
# visitor; the services check the author again). The server draws them too, disabled, so that an
# own card on a phone, where they take a row of their own, keeps its height when the page goes
# live. Delete is the live page's confirmation dialog's trigger (the slot `delete`).
def _own_action(label: Message, action: str, name: Message) -> Button:
    return Button(label, action, cls=f"post-own-action {action}-post", attrs={"aria-label": name})


OWN_ACTIONS = Slot(
    "actions",
    (
        When(
            Eq(Field("author_id"), Field("reader_id")),
            (
                el(
                    "span",
                    _own_action(_l("Edit"), "edit", _l("Edit this post")),
                    Slot("delete", (_own_action(_l("Delete"), "delete", _l("Delete this post")),)),
                    cls="post-own-actions",
                ),
            ),
        ),
    ),
)

ACTION_BAR = el(
    "div",
    Link(
        Thread(Field("id")),
        (el("span", _l("Reply")), " ", _count(Field("reply_count"))),
        cls="post-action post-reply",
    ),
    Button(
        el("span", el("span", _l("Like")), " ", _count(Field("like_count"))),
        "like",
        cls=Pick(Field("liked"), "post-action post-like pressed", "post-action post-like"),
        attrs={"aria-pressed": _pressed(Field("liked"))},
    ),
    Button(
        el("span", el("span", _l("Boost")), " ", _count(Field("boost_count"))),
        "boost",
        cls=Pick(Field("boosted"), "post-action post-boost pressed", "post-action post-boost"),
        attrs={"aria-pressed": _pressed(Field("boosted"))},
    ),
    cls="post-actions",
    role="group",
    aria_label=_l("Post actions"),
)

# "Translate", under a post written in another language than the page's (`reader_lang`), for a
# signed-in reader when a translation service is configured (`can_translate`: both), or while
# the reader has its translation open (`translated`, live only). The live page fills the slot
# with the translation's states (components/post_translation.py): Translating…, Show original,
# an error; the server draws the offer, so the card keeps its height when the page goes live.
TRANSLATE = When(
    Or(
        (
            And(
                (
                    Field("can_translate"),
                    ne(Field("language"), ""),
                    ne(Field("language"), Field("reader_lang")),
                )
            ),
            Field("translated"),
        )
    ),
    (
        el(
            "div",
            Slot("translate", (Button(_l("Translate"), "translate", cls="translate-link"),)),
            cls="post-translate",
        ),
    ),
)


def reader_fields(*, reader_id: int, lang: str, can_translate: bool) -> dict[str, Value]:
    """What a card reads of its reader, beside its row's fields, where the server draws it:
    who they are (0: a visitor), the page's language, whether they may translate (signed in,
    and a translation service configured); no translation is open in a page being drawn."""
    return {
        "reader_id": reader_id,
        "reader_lang": lang,
        "can_translate": can_translate,
        "translated": False,
    }


# Only the author of a post a moderator hid is shown it: marked, with the moderator's reason.
HIDDEN_NOTE = When(
    Field("hidden"),
    (
        el(
            "p",
            el("strong", _l("Hidden by a moderator: only you can see this post.")),
            When(
                ne(Field("hidden_reason"), ""),
                (" ", Text(Say(_l("Reason: %(reason)s"), {"reason": Field("hidden_reason")}))),
            ),
            cls="post-hidden-note",
            role="note",
        ),
    ),
)

POST_CARD = el(
    "article",
    avatar_link(AUTHOR, Field("author_avatar")),
    el(
        "div",
        BOOST_LINE,
        el(
            "div",
            name_link(AUTHOR),
            el("span", _l("said"), cls="post-meta"),
            el("span", Moment(Field("timestamp")), cls="post-meta"),
            EDITED_MARKER,
            OWN_ACTIONS,
            Slot("menu", (MENU_BUTTON,), server_draws=False),
            cls="post-header",
        ),
        REPLY_LINE,
        HIDDEN_NOTE,
        Slot(
            "body",
            (
                TrustedHtml(
                    Field("body_html"), cls="post-body rich", attrs={"lang": Field("language")}
                ),
            ),
        ),
        TRANSLATE,
        MEDIA_GRID,
        LINK_CARD,
        ACTION_BAR,
        cls="post-main",
    ),
    cls=Pick(ne(BOOSTED_BY, ""), "post boosted", "post"),
    data_post_id=Field("id"),
    data_entry_id=Field("entry_id"),
)

POST_LIST_CLASS = "post-list"
