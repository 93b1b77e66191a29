"""The vocabulary a widget is described in: a small tree of elements, text and values, with no
Reflex and no HTML in it. Two renderers read the same tree: `microblog.widgets.html` writes it as
escaped HTML for the server's first paint (and anything else drawn on the server),
`microblog.components.widget` builds it as Reflex components for the live page. So a widget's
markup is written once, and the two renderings cannot drift apart.

Values are read from what the widget is drawn for: `Field("author_username")` is a row's field
in HTML and a Var (a row of a `rx.foreach`, a state var) on the live page. Conditions are
evaluated in Python by the HTML renderer, and become `rx.cond` on the live page. A `Slot` is
where the live page puts what only it can do (a button that answers a click, the user card on
hover); the server draws the slot's `default`, or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from microblog.i18n.messages import Message

# -- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A value of what the widget is drawn for (a post row, a profile), by name."""

    name: str


@dataclass(frozen=True)
class Concat:
    """Pieces of text joined into one value (an address, a class list)."""

    parts: tuple[Value, ...]


@dataclass(frozen=True)
class Profile:
    """The address of a user's profile (`routes.user_url`), with a tab when given."""

    username: Value
    tab: str = ""


@dataclass(frozen=True)
class Thread:
    """The address of a post's conversation page (`routes.post_url`)."""

    post_id: Value


@dataclass(frozen=True)
class Initial:
    """The first letter of a name, upper-cased (an avatar's fallback)."""

    name: Value


HUES = 8


def hue_of(name: str) -> int:
    """Which of `HUES` colours a name's initial is drawn in: a hash of its code points, the
    same in Python (the server's drawing) and in the browser (`Hue` on the live page)."""
    value = 0
    for char in name:
        value = (value * 31 + ord(char)) % 1_000_003
    return value % HUES


@dataclass(frozen=True)
class Hue:
    """The colour of a name's initial (`hue_of`), so people stay apart when no picture loads."""

    name: Value


@dataclass(frozen=True)
class Eq:
    left: Value
    right: Value


@dataclass(frozen=True)
class Not:
    value: Value


@dataclass(frozen=True)
class And:
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Or:
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Pick:
    """`then` when `test` holds, else `otherwise` (a class that depends on a value)."""

    test: Value
    then: Value
    otherwise: Value


@dataclass(frozen=True)
class Say:
    """A message in the reader's language with its `%(name)s` placeholders filled from values:
    `Say(_l("Conversation with %(username)s"), {"username": Field("other_name")})`; a plural
    message (`_ln`) takes its form from `count`."""

    message: Message
    params: Mapping[str, Value]
    # With a plural message (`_ln`): the number that picks its form in the reader's language.
    count: Value | None = None


@dataclass(frozen=True)
class RowMessage:
    """A row's own catalog message, spelled out in its fields (`msgid`, `plural`, `num`,
    `params`: schemas.NotificationRow.with_message), in the reader's language; the row's `text`
    when it has no msgid (an announcement, in its author's words)."""


def row_message(msgid: str, plural: str, num: int, params: Mapping[str, object]) -> Message:
    """The catalog message a row's spelled-out fields stand for (`RowMessage`): `num` is the
    count, which the params also carry as text for the browser."""
    kept = {name: value for name, value in params.items() if name != "num"}
    return Message(msgid, plural or None, num if plural else None, kept)


Value = (
    str
    | int
    | bool
    | Field
    | Concat
    | Profile
    | Thread
    | Initial
    | Hue
    | Eq
    | Not
    | And
    | Or
    | Pick
    | Say
    | RowMessage
    | Message
)


def ne(left: Value, right: Value) -> Not:
    return Not(Eq(left, right))


# -- nodes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class El:
    """An element: tag, classes, attributes, children."""

    tag: str
    children: tuple[Node, ...] = ()
    cls: Value = ""
    attrs: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """A link inside the app: a client-side link on the live page, a plain link on the server.
    `external`: a real navigation even on the live page (the backend's /auth/logout)."""

    to: Value
    children: tuple[Node, ...]
    cls: Value = ""
    attrs: Mapping[str, Value] = field(default_factory=dict)
    external: bool = False


@dataclass(frozen=True)
class Button:
    """A button that does `action` (a name the live page maps to an event handler). The server
    draws it `aria-disabled` until the page is live."""

    label: Node
    action: str
    cls: Value = ""
    attrs: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Text:
    """A value shown as text: a field, a translated message, a literal."""

    value: Value


@dataclass(frozen=True)
class TrustedHtml:
    """Markup we made and sanitised ourselves when the text was written (a post's `body_html`,
    services/post_body.py), drawn as it is inside a `div` (`rx.html` on the live page). Only for
    that: anything else a user wrote is a `Text`, escaped."""

    html: Field
    cls: Value = ""
    attrs: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Plural:
    """A counted noun in the reader's language ("1 follower", "2 followers" without the number:
    `message` is `_ln("follower", "followers", 0)` and the count comes from `count`)."""

    message: Message
    count: Value


@dataclass(frozen=True)
class Avatar:
    """A user's picture over their initial, in a circle of the name's own colour (`Hue`): the
    initial shows until the picture loads, and stays when it cannot (Gravatar unreachable); the
    server draws the initial alone (web/first_paint.py says why)."""

    username: Value
    picture: Value
    cls: str
    attrs: Mapping[str, Value] = field(default_factory=dict)
    # On the live page: the picture through React's `style` (a state var's value must be read
    # where the page subscribes to its state) rather than a plain attribute (a list row's).
    picture_in_style: bool = False


@dataclass(frozen=True)
class Moment:
    """A moment in time, said relatively ("3 minutes ago", `<time class="relative-time">`),
    with the full date and time in the reader's zone as its tip."""

    iso: Value


@dataclass(frozen=True)
class When:
    """`then` when `test` holds, else `otherwise`."""

    test: Value
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Each:
    """`item` once per row of the list `items`, in its order, or `empty` when it has none
    (`rx.foreach` on the live page). Inside `item`, a field is the row's when the row has it,
    else what the list is drawn for (`Field("other_name")` beside a message's `Field("body")`)."""

    items: Field
    item: Node
    empty: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Picture:
    """An image: `src`, `alt`, its intrinsic `width` and `height` (so the page reserves its
    place before it loads) and `placeholder`, a tiny picture (a data: URL) drawn under it
    until it loads (services/media/images.py makes it from the blurhash). Lazy-loaded."""

    src: Value
    alt: Value
    width: Value
    height: Value
    placeholder: Value
    cls: str = ""


@dataclass(frozen=True)
class Slot:
    """What only the live page draws, by name; the server draws `default` (empty by default).
    The live page's fill gets `default` drawn as its parts; with `server_draws=False` the
    server leaves the place empty (a control that only works live, such as a menu)."""

    name: str
    default: tuple[Node, ...] = ()
    server_draws: bool = True


Node = (
    El
    | Link
    | Button
    | Text
    | TrustedHtml
    | Plural
    | Avatar
    | Moment
    | When
    | Each
    | Picture
    | Slot
    | str
    | Field
    | Message
)


def el(tag: str, *children: Node, cls: Value = "", **attrs: Value) -> El:
    """`El` with children as arguments; attribute names with `_` for `-` (`aria_hidden`)."""
    return El(tag, children, cls, {name.replace("_", "-"): v for name, v in attrs.items()})
