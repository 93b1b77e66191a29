"""Each widget is described once (microblog/widgets/) and rendered twice: as HTML by the server
(widgets/html.py) and as Reflex components by the live page (components/widget.py). Here both
renderings of the same widget, for the same values and language, must be the same elements,
classes, attributes, links and text.

The component rendering is read from Reflex's own description of the components
(`Component.render()`), with plain values instead of Vars (the renderer then decides every
condition at once), so no browser is needed. Times are compared by their `datetime` only: the
live page writes their words in the browser.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

import microblog.microblog  # noqa: F401 (builds the app: every state the renderers name exists)
from microblog.components.widget import ComponentRenderer
from microblog.i18n import _l, _ln, translate
from microblog.i18n.messages import Message
from microblog.schemas import ConversationRow, MediaRow, MessageRow, NotificationRow
from microblog.services.search import UserHit, count_text
from microblog.services.search.analysis import highlight
from microblog.widgets import empty_note as notes
from microblog.widgets.conversation import CONVERSATION_HEAD, CONVERSATION_LIST, CONVERSATION_LOG
from microblog.widgets.html import VOID_ELEMENTS, HtmlRenderer, fields_of
from microblog.widgets.navbar import SIGNED_IN, SIGNED_OUT
from microblog.widgets.notifications import NOTIFICATION_LIST
from microblog.widgets.pager import LABELS, pager
from microblog.widgets.post_card import POST_CARD
from microblog.widgets.profile import PROFILE_CARD, PROFILE_TABS
from microblog.widgets.search import HIGHLIGHTED_BODY, PEOPLE, SEARCH_FILLS, SUMMARY
from microblog.widgets.thread import REPLIES_HEADING, REPLY_OPENER, THREAD_CUT
from microblog.widgets.tree import Node

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
# React's prop names, and the attribute each one writes.
_ATTRIBUTE = {
    "className": "class",
    "tabIndex": "tabindex",
    "dateTime": "datetime",
    "to": "href",
    "viewBox": "viewbox",  # HTML's parser lower-cases attribute names
}
_EVENTS = ("onClick", "onMouseEnter", "onMouseLeave", "onFocus", "onBlur", "onKeyDown")
Tree = tuple[str, tuple[tuple[str, str], ...], tuple[Any, ...]]


def _normal(tag: str, attrs: dict[str, str], children: list[Any]) -> Tree:
    merged: list[Any] = []
    for child in (c if isinstance(c, tuple) else str(c) for c in children):
        if isinstance(child, str) and merged and isinstance(merged[-1], str):
            merged[-1] += child
        elif child != "":
            merged.append(child)
    if tag == "time":  # its words are written in the browser
        merged = []
    return tag, tuple(sorted(attrs.items())), tuple(merged)


def _from_component(rendered: dict[str, Any]) -> list[Any]:
    """Elements and text from `Component.render()`; fragments dissolve into their children."""
    if "contents" in rendered:
        try:
            return [json.loads(rendered["contents"])]
        except json.JSONDecodeError:  # JavaScript computed in the browser: a time's words
            return ["{computed in the browser}"]
    children = [part for child in rendered.get("children", []) for part in _from_component(child)]
    name = rendered["name"]
    if name == "Fragment":
        return children
    props: dict[str, Any] = {}
    for prop in rendered.get("props", []):
        key, _, value = prop.partition(":")
        key = json.loads(key) if key.startswith('"') else key
        if key in _EVENTS or (key in ("style", "lang") and value == ""):
            continue
        props[key] = value
    if "dangerouslySetInnerHTML" in props:  # rx.html: the trusted markup is its children
        written = props.pop("dangerouslySetInnerHTML")  # ({ ["__html"] : "<p>…</p>" })
        inner = json.loads(written[written.index(":") + 1 : written.rindex("}")])
        children = _from_html(inner)
    if name == "LocalTime":
        return [_normal("time", {"datetime": json.loads(props["iso"])}, [])]
    tag = {"ReactRouterLink": "a"}.get(name) or json.loads(name)
    attrs = {
        _ATTRIBUTE.get(key, key): str(json.loads(value))
        for key, value in props.items()
        if key not in ("style", "css")
    }
    return [_normal(tag, attrs, children)]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str], list[Any]]] = [("root", {}, [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        # The server's buttons wait for the live page (widgets/html.py), but a picture's,
        # which assets/media.js answers from the first paint on.
        if tag == "button" and values.get("class") != "post-media-open":
            assert values.pop("aria-disabled") == "true"
        if tag == "img" and "style" in values:  # the placeholder's style is checked apart
            assert values.pop("style").startswith('--placeholder:url("')
        if tag in VOID_ELEMENTS:  # no end tag follows
            self.stack[-1][2].append(_normal(tag, values, []))
            return
        self.stack.append((tag, values, []))

    def handle_endtag(self, tag: str) -> None:
        name, attrs, children = self.stack.pop()
        assert name == tag, f"</{tag}> closes <{name}>"
        self.stack[-1][2].append(_normal(name, attrs, children))

    def handle_data(self, data: str) -> None:
        self.stack[-1][2].append(data)


def _from_html(markup: str) -> list[Any]:
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    return list(_normal("root", {}, parser.stack[0][2])[2])


def _both(node: Node, values: dict[str, Any], lang: str) -> tuple[list[Any], list[Any]]:
    html = HtmlRenderer(fields_of(**values), lang=lang, now=NOW).node(node)
    live = ComponentRenderer(
        lambda name: values[name],
        text=lambda message: translate(message, lang),
        actions={
            a: None
            for a in (
                "follow",
                "unfollow",
                "export",
                "like",
                "boost",
                "history",
                "menu",
                "load_earlier",
                "edit",
                "delete",
                "open_reply",
                "translate",
            )
        },
    ).node(node)
    return _from_html(html), _from_component(live.render())


POST = {
    "id": 7,
    "entry_id": 7,
    "author_id": 2,
    # The reader's (widgets/post_card.py reader_fields): a visitor, on an English page.
    "reader_id": 0,
    "reader_lang": "en",
    "can_translate": False,
    "translated": False,
    "author_username": "susan",
    "author_avatar": "https://www.gravatar.com/avatar/abc?d=identicon&s=36",
    "timestamp": "2026-12-02T11:00:00+00:00",
    "body": '<script>alert("x")</script> & <b>bold</b>',
    # As services/rich_text.py renders and sanitises it when the post is written.
    "body_html": (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <strong>bold</strong></p>"
    ),
    "language": "en",
    "edited_at": "",
    "reply_to_id": 0,
    "reply_to_username": "",
    "reply_count": 0,
    "like_count": 0,
    "boost_count": 0,
    "boosted_by": "",
    "liked": False,
    "boosted": False,
    "media": (),
    "card_url": "",
    "card_title": "",
    "card_description": "",
    "card_domain": "",
    "card_site_name": "",
    "card_image": "",
    "hidden": False,
    "hidden_reason": "",
}
# A boost by tom of susan's reply to ann, edited, liked and boosted by the reader.
EVERYTHING = {
    **POST,
    "entry_id": 9,
    "edited_at": "2026-12-02T11:30:00+00:00",
    "reply_to_id": 3,
    "reply_to_username": "ann",
    "reply_count": 2,
    "like_count": 5,
    "boost_count": 1,
    "boosted_by": "tom",
    "liked": True,
    "boosted": True,
}
# A reply whose post was deleted: "replying to" links to the person.
ORPHAN_REPLY = {**POST, "reply_to_username": "ann", "reply_count": 1}
# A post whose first link has its preview: a page that tried markup in its tags.
WITH_CARD = {
    **POST,
    "card_url": "https://news.example/story?a=1&b=2",
    "card_title": "<b>Breaking</b> & news",
    "card_description": "What happened <script>alert(1)</script>",
    "card_domain": "news.example",
    "card_image": "/media/cards/abc123.webp",
}
# Its page had no picture and no description.
WITH_BARE_CARD = {**WITH_CARD, "card_image": "", "card_description": ""}
# A post a moderator hid, as its author sees it: the reason is text, not markup.
HIDDEN = {**POST, "hidden": True, "hidden_reason": "<b>insults</b> & threats"}


def _picture(n: int, description: str) -> MediaRow:
    return MediaRow(
        id=n,
        url=f"http://localhost:8000/media/{n:064x}.jpg",
        preview_url=f"http://localhost:8000/media/{n + 100:064x}.jpg",
        content_type="image/jpeg",
        width=1600,
        height=900,
        thumb_width=400,
        thumb_height=225,
        blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
        description=description,
        placeholder="data:image/png;base64,iVBORw0KGgo=",
    )


# One's own post: susan reads it.
OWN = {**POST, "reader_id": 2}
# Another signed-in reader's view of it.
OTHERS = {**POST, "reader_id": 5}
# A post in Spanish, read by a signed-in reader on an English page, with a translator set up.
FOREIGN = {**OTHERS, "language": "es", "can_translate": True}

# Two pictures, one described (with markup in its alt text, which must stay text).
PICTURES = {**POST, "media": (_picture(1, 'A heron <b>"fishing"</b>'), _picture(2, ""))}


def _find(tree: Any, test: Any) -> list[Any]:
    """Every element under `tree` for which `test(tag, attrs)` holds."""
    if not isinstance(tree, tuple):
        return []
    tag, attrs, children = tree
    found = [tree] if test(tag, dict(attrs)) else []
    return found + [hit for child in children for hit in _find(child, test)]


def _text(tree: Any) -> str:
    return tree if isinstance(tree, str) else "".join(_text(child) for child in tree[2])


@pytest.mark.parametrize(
    "values",
    [POST, EVERYTHING, ORPHAN_REPLY, PICTURES, WITH_CARD, WITH_BARE_CARD, HIDDEN, OWN, FOREIGN],
    ids=["plain", "all", "orphan", "pictures", "card", "bare-card", "hidden", "own", "foreign"],
)
@pytest.mark.parametrize("lang", ["en", "es", "zh"])
def test_the_post_card_is_drawn_the_same_by_the_server_and_the_live_page(
    values: dict[str, Any], lang: str
) -> None:
    server, live = _both(POST_CARD, values, lang)
    assert server == live
    article = server[0]
    assert article[0] == "article" and ("data-post-id", "7") in article[1]


def _card(values: dict[str, Any]) -> Any:
    server, live = _both(POST_CARD, values, "en")
    assert server == live
    return server[0]


def test_the_body_is_the_rendered_html_and_nothing_else_is_markup() -> None:
    html = HtmlRenderer(fields_of(**POST), lang="en", now=NOW).node(POST_CARD)
    assert "<strong>bold</strong>" in html and "<script>" not in html
    card = _card(POST)
    (body,) = _find(card, lambda tag, attrs: "post-body" in attrs.get("class", ""))
    assert body[0] == "div" and dict(body[1])["class"] == "rx-Html post-body rich"
    assert ("strong", (), ("bold",)) in body[2][0][2]
    # A username is text, escaped, even where the body is markup.
    hostile = HtmlRenderer(
        fields_of(**{**EVERYTHING, "boosted_by": "<i>x</i>"}), lang="en", now=NOW
    ).node(POST_CARD)
    assert "<i>x</i>" not in hostile and "&lt;i&gt;x&lt;/i&gt;" in hostile


def test_a_hidden_post_is_marked_with_the_reason_as_text() -> None:
    def notes(card: Any) -> list[Any]:
        return _find(card, lambda _tag, attrs: attrs.get("class") == "post-hidden-note")

    assert not notes(_card(POST))
    (note,) = notes(_card(HIDDEN))
    assert dict(note[1])["role"] == "note"
    assert _text(note) == (
        "Hidden by a moderator: only you can see this post. Reason: <b>insults</b> & threats"
    )
    html = HtmlRenderer(fields_of(**HIDDEN), lang="en", now=NOW).node(POST_CARD)
    assert "<b>insults" not in html and "&lt;b&gt;insults" in html


def test_markers_show_only_when_they_apply() -> None:
    plain, everything = _card(POST), _card(EVERYTHING)

    def classes(card: Any, name: str) -> list[Any]:
        return _find(card, lambda _tag, attrs: name in attrs.get("class", "").split())

    for marker in ("post-boosted-by", "post-replying-to", "post-edited"):
        assert not classes(plain, marker)
        assert len(classes(everything, marker)) == 1
    (boosted,) = classes(everything, "post-boosted-by")
    assert _find(boosted, lambda tag, attrs: tag == "a" and attrs["href"] == "/user/tom")
    (replying,) = classes(everything, "post-replying-to")
    assert _text(replying).endswith("@ann")
    assert _find(replying, lambda tag, attrs: tag == "a" and attrs["href"] == "/post/3")
    (orphan,) = classes(_card(ORPHAN_REPLY), "post-replying-to")
    assert _find(orphan, lambda tag, attrs: tag == "a" and attrs["href"] == "/user/ann")
    (edited,) = classes(everything, "post-edited")
    assert edited[0] == "button" and ("aria-haspopup", "dialog") in edited[1]


def _own_actions(card: Any) -> list[tuple[str, str]]:
    """Edit and Delete on a card: each button's class and accessible name."""
    (header,) = _find(card, lambda _tag, attrs: attrs.get("class") == "post-header")
    return [
        (dict(button[1])["class"], dict(button[1])["aria-label"])
        for button in _find(
            header, lambda _tag, attrs: "post-own-action" in attrs.get("class", "").split()
        )
    ]


def test_edit_and_delete_are_drawn_on_the_readers_own_posts_only() -> None:
    """The server draws them too (disabled until the page is live), so that an own card keeps
    its height when the live page takes over: on a phone they take a row of their own."""
    assert _own_actions(_card(OWN)) == [
        ("post-own-action edit-post", "Edit this post"),
        ("post-own-action delete-post", "Delete this post"),
    ]
    assert _own_actions(_card(POST)) == []  # a visitor
    assert _own_actions(_card(OTHERS)) == []
    html = HtmlRenderer(fields_of(**OWN), lang="zh", now=NOW).node(POST_CARD)
    assert '<button class="post-own-action edit-post" type="button" aria-disabled="true"' in html
    assert f'aria-label="{translate(_l("Delete this post"), "zh")}"' in html


def _translate(card: Any) -> list[str]:
    """The card's Translate offer, by its words."""
    found = _find(card, lambda _tag, attrs: attrs.get("class") == "post-translate")
    return [_text(part) for part in found]


def test_translate_is_offered_under_posts_in_another_language_to_readers_who_may() -> None:
    """Drawn by the server too (disabled until the page is live), so that the card keeps its
    height when the live page takes over."""
    assert _translate(_card(FOREIGN)) == ["Translate"]
    assert _translate(_card({**FOREIGN, "can_translate": False})) == []  # a visitor, or no service
    assert _translate(_card({**FOREIGN, "reader_lang": "es"})) == []  # the page's own language
    assert _translate(_card({**FOREIGN, "language": ""})) == []  # a language not known
    # Open (live only): shown even where no longer offered (the reader switched to Spanish).
    assert _translate(_card({**FOREIGN, "reader_lang": "es", "translated": True})) != []
    server, live = _both(POST_CARD, FOREIGN, "zh")
    assert server == live and _translate(server[0]) == [translate(_l("Translate"), "zh")]


def test_search_results_have_no_edit_or_delete() -> None:
    """A result is edited in its conversation: the server's fills leave the slot empty, as the
    live page's results do (components/post_card.py without an owner)."""
    values = {**OWN, "segments": highlight("hello", ["hello"])}
    markup = HtmlRenderer(fields_of(**values), lang="en", now=NOW, fills=SEARCH_FILLS).node(
        POST_CARD
    )
    assert _own_actions(_from_html(markup)[0]) == []
    assert "post-own-action" in HtmlRenderer(fields_of(**values), lang="en", now=NOW).node(
        POST_CARD
    )


def test_the_action_bar_says_the_counts_and_what_the_reader_pressed() -> None:
    for values in (POST, EVERYTHING):
        card = _card(values)
        (bar,) = _find(card, lambda _tag, attrs: attrs.get("class") == "post-actions")
        assert ("role", "group") in bar[1]
        (reply,) = _find(bar, lambda tag, attrs: tag == "a")
        assert dict(reply[1])["href"] == "/post/7"
        assert _text(reply) == f"Reply {values['reply_count']}"  # its name, read aloud
        for name, count, pressed in (
            ("post-like", "like_count", "liked"),
            ("post-boost", "boost_count", "boosted"),
        ):
            (button,) = _find(bar, lambda _t, attrs, n=name: n in attrs.get("class", ""))
            attrs = dict(button[1])
            assert attrs["aria-pressed"] == ("true" if values[pressed] else "false")
            assert ("pressed" in attrs["class"].split()) == values[pressed]
            assert _text(button).endswith(str(values[count]))


def _profile(**changes: Any) -> dict[str, Any]:
    return {
        "username": "tom",
        "avatar": "https://www.gravatar.com/avatar/def?d=identicon&s=128",
        "about_me": '<b>"zed"</b> & co',
        "last_seen": "2026-12-01T10:00:00+00:00",
        "followers_count": 1,
        "following_count": 0,
        "is_self": False,
        "signed_in": True,
        "is_following": True,
        "send_message_href": "/send_message/tom",
        "tab": "posts",
        **changes,
    }


@pytest.mark.parametrize(
    "values",
    [
        _profile(),
        _profile(is_following=False, followers_count=2, tab="followers"),
        _profile(is_self=True, about_me=""),
        _profile(signed_in=False, is_following=False, tab="following"),
    ],
    ids=["follower", "not following", "owner", "visitor"],
)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_profile_header_is_drawn_the_same(values: dict[str, Any], lang: str) -> None:
    for widget in (PROFILE_CARD, PROFILE_TABS):
        server, live = _both(widget, values, lang)
        assert server == live


@pytest.mark.parametrize("signed_in", [True, False], ids=["reader", "visitor"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_threads_own_parts_are_drawn_the_same(signed_in: bool, lang: str) -> None:
    """The note, the reply box's opener (a visitor's offer to log in) and the replies' heading:
    the server draws what the live page draws, so the replies stay where they are."""
    values = {"earlier_deleted": True, "signed_in": signed_in}
    drawn = []
    for widget in (THREAD_CUT, REPLY_OPENER, REPLIES_HEADING):
        server, live = _both(widget, values, lang)
        assert server == live
        drawn += server
    note, opener, heading = drawn
    assert note[0] == "p" and ("role", "note") in note[1]
    if signed_in:
        assert opener[0] == "button" and dict(opener[1])["class"] == "reply-opener"
        assert _text(opener) == translate(_l("Write your reply"), lang)
    else:
        (login,) = _find(opener, lambda tag, attrs: tag == "a")
        assert dict(login[1])["href"] == "/login"
        assert _text(login) == translate(_l("Log in to reply"), lang)
    assert heading[0] == "h2" and _text(heading) == translate(_l("Replies"), lang)
    assert _both(THREAD_CUT, {**values, "earlier_deleted": False}, lang) == ([], [])


@pytest.mark.parametrize(
    "message",
    [notes.NO_POSTS, notes.NO_POSTS_AT_HOME, notes.NO_REPLIES, notes.NO_NOTIFICATIONS],
    ids=lambda message: message.msgid[:20],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_empty_lists_note_is_drawn_the_same(message: Message, lang: str) -> None:
    server, live = _both(notes.empty_note(message), {}, lang)
    assert server == live
    assert _text(server[0]) == translate(message, lang)
    (icon,) = _find(server[0], lambda tag, attrs: tag == "svg")
    assert ("aria-hidden", "true") in icon[1]


@pytest.mark.parametrize("noun", sorted(LABELS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_pager_is_drawn_the_same(noun: str, lang: str) -> None:
    """Newer and Older, each one link drawn as a button (no button inside it: one tab stop),
    shown only where there is such a page."""
    newer, older = LABELS[noun]
    for has_prev, has_next in [(True, True), (True, False), (False, True), (False, False)]:
        values = {
            "has_prev": has_prev,
            "has_next": has_next,
            "newer_href": "/explore?page=1",
            "older_href": "/explore?page=3",
        }
        server, live = _both(pager(noun), values, lang)
        assert server == live
        (row,) = server
        assert row[0] == "div" and dict(row[1])["class"] == "pager"
        links = _find(row, lambda tag, attrs: tag == "a")
        assert not _find(row, lambda tag, attrs: tag == "button")
        expected = [("/explore?page=1", newer)] * has_prev + [("/explore?page=3", older)] * has_next
        assert [(dict(a[1])["href"], _text(a)) for a in links] == [
            (href, translate(label, lang)) for href, label in expected
        ]


@pytest.mark.parametrize("widget", [SIGNED_IN, SIGNED_OUT], ids=["signed in", "visitor"])
def test_the_navbar_links_are_drawn_the_same(widget: Node) -> None:
    server, live = _both(
        widget,
        {
            "user_name": "tom",
            "user_avatar": "https://www.gravatar.com/avatar/abc?d=identicon&s=36",
            "logout_url": "/auth/logout",
        },
        "zh",
    )
    assert server == live


def _messages(*mine: bool) -> list[MessageRow]:
    return [
        MessageRow(
            id=n + 1,
            body=f'<i>message</i> "{n}" & more' if n else "hello",
            timestamp=f"2026-12-02T11:{n:02}:00+00:00",
            sender_id=1 if own else 2,
            recipient_id=2 if own else 1,
            mine=own,
        )
        for n, own in enumerate(mine)
    ]


def _conversation(**changes: Any) -> dict[str, Any]:
    return {
        "other_name": "tom",
        "other_avatar": "https://www.gravatar.com/avatar/def?d=identicon&s=48",
        "has_earlier": False,
        "messages": _messages(False, True, True),
        **changes,
    }


@pytest.mark.parametrize(
    "values",
    [_conversation(), _conversation(has_earlier=True), _conversation(messages=[])],
    ids=["both sides", "earlier ones", "no messages"],
)
@pytest.mark.parametrize("lang", ["en", "es", "zh"])
def test_a_conversation_is_drawn_the_same(values: dict[str, Any], lang: str) -> None:
    for widget in (CONVERSATION_HEAD, CONVERSATION_LOG):
        server, live = _both(widget, values, lang)
        assert server == live


def test_a_conversations_messages_in_order_sides_and_escaped() -> None:
    server, _ = _both(CONVERSATION_LOG, _conversation(), "zh")
    drawn = _find(server[0], lambda tag, attrs: "message" in attrs.get("class", "").split())
    classes = [dict(m[1])["class"] for m in drawn]
    assert classes == ["message theirs", "message mine", "message mine"]
    assert [dict(m[1])["data-message-id"] for m in drawn] == ["1", "2", "3"]  # oldest first
    said = [_text(m) for m in drawn]  # who said it, for screen readers, in Chinese
    assert said == [
        "tom\uff1a hello",
        '\u4f60\uff1a <i>message</i> "1" & more',
        '\u4f60\uff1a <i>message</i> "2" & more',
    ]
    markup = HtmlRenderer(fields_of(**_conversation()), lang="en", now=NOW).node(CONVERSATION_LOG)
    assert "<i>" not in markup and "&lt;i&gt;message&lt;/i&gt; &quot;1&quot; &amp; more" in markup
    assert 'aria-label="Conversation with tom"' in markup


def _conversation_row(username: str, *, mine: bool, unread: int, body: str) -> ConversationRow:
    return ConversationRow(
        user_id=len(username),
        username=username,
        avatar=f"https://www.gravatar.com/avatar/{username}?d=identicon&s=48",
        href=f"/messages/{username}",
        last_message_id=1,
        last_body=body,
        last_timestamp="2026-12-02T11:30:00+00:00",
        last_mine=mine,
        unread=unread,
    )


CONVERSATIONS = [
    _conversation_row("tom", mine=False, unread=3, body='<i>are</i> you "there" & awake?'),
    _conversation_row("ann", mine=True, unread=0, body="see you"),
    _conversation_row("bo", mine=False, unread=1, body="one more"),
]


@pytest.mark.parametrize("lang", ["en", "es", "zh"])
def test_the_list_of_conversations_is_drawn_the_same(lang: str) -> None:
    server, live = _both(CONVERSATION_LIST, {"conversations": CONVERSATIONS}, lang)
    assert server == live


def test_the_list_says_who_wrote_last_and_counts_what_is_unread() -> None:
    server, _ = _both(CONVERSATION_LIST, {"conversations": CONVERSATIONS}, "en")
    rows = _find(server[0], lambda tag, attrs: tag == "a")
    assert [dict(row[1])["class"] for row in rows] == [
        "conversation unread",
        "conversation",
        "conversation unread",
    ]
    assert [dict(row[1])["href"] for row in rows] == [
        "/messages/tom",
        "/messages/ann",
        "/messages/bo",
    ]
    counts = [
        _text(found[0])
        if (found := _find(row, lambda t, a: a.get("class") == "unread-count"))
        else ""
        for row in rows
    ]
    assert counts == ["33 unread messages", "", "11 unread message"]  # the number, then the phrase
    last = [
        _text(_find(row, lambda t, a: a.get("class") == "conversation-last")[0]) for row in rows
    ]
    assert last == ['<i>are</i> you "there" & awake?', "You: see you", "one more"]
    markup = HtmlRenderer(fields_of(conversations=CONVERSATIONS), lang="en", now=NOW).node(
        CONVERSATION_LIST
    )
    assert "<i>" not in markup and "&lt;i&gt;are&lt;/i&gt; you &quot;there&quot; &amp;" in markup


def _line(n: int, kind: str, text: Any, *, href: str = "", unread: bool = False) -> NotificationRow:
    return NotificationRow(
        id=n,
        kind=kind,
        text=text,
        href=href,
        timestamp=f"2026-12-02T11:{n:02}:00+00:00",
        actor_username="tom",
        actor_avatar="",
        unread=unread,
    ).with_message()


LINES = [
    _line(
        1,
        "like",
        _ln(
            "%(username)s and %(num)d other liked your post.",
            "%(username)s and %(num)d others liked your post.",
            3,
            username="tom",
        ),
        href="/post/7",
        unread=True,
    ),
    _line(
        2,
        "follower",
        _l("%(username)s started following you.", username="<b>tom</b>"),
        href="/user/tom",
    ),
    _line(3, "announcement", 'Maintenance <i>tonight</i> & "soon"', unread=True),
    _line(4, "moderation", _l("A moderator has reviewed your report and closed it.")),
]


@pytest.mark.parametrize("lang", ["en", "es", "zh"])
def test_the_notifications_are_drawn_the_same(lang: str) -> None:
    server, live = _both(NOTIFICATION_LIST, {"notifications": LINES}, lang)
    assert server == live


def test_a_line_has_its_kinds_icon_its_words_a_link_and_new() -> None:
    server, _ = _both(NOTIFICATION_LIST, {"notifications": LINES}, "en")
    lines = _find(server[0], lambda tag, attrs: "notification" in attrs.get("class", "").split())
    assert [dict(line[1])["data-kind"] for line in lines] == [
        "like",
        "follower",
        "announcement",
        "moderation",
    ]
    texts = [
        _text(_find(line, lambda t, a: a.get("class") == "rt-Text notification-text")[0])
        for line in lines
    ]
    assert texts == [
        "tom and 3 others liked your post.",
        "<b>tom</b> started following you.",
        'Maintenance <i>tonight</i> & "soon"',  # an announcement: its author's words
        "A moderator has reviewed your report and closed it.",
    ]
    links = [[dict(a[1])["href"] for a in _find(line, lambda t, a: t == "a")] for line in lines]
    assert links == [["/post/7"], ["/user/tom"], [], []]
    new = [bool(_find(line, lambda t, a: "rt-Badge" in a.get("class", ""))) for line in lines]
    assert new == [True, False, True, False]
    # Each kind its own icon; a kind without one gets the bell.
    icons = [_find(line, lambda t, a: t == "svg")[0] for line in lines]
    assert len({repr(icon) for icon in icons}) == 4
    markup = HtmlRenderer(fields_of(notifications=LINES), lang="zh", now=NOW).node(
        NOTIFICATION_LIST
    )
    assert "<b>" not in markup and "<i>" not in markup
    assert "&lt;b&gt;tom&lt;/b&gt;" in markup and "&lt;i&gt;tonight&lt;/i&gt; &amp;" in markup
    liked = translate(
        _ln(
            "%(username)s and %(num)d other liked your post.",
            "%(username)s and %(num)d others liked your post.",
            3,
            username="tom",
        ),
        "zh",
    )
    assert liked in markup and liked != texts[0]


def test_a_difference_would_be_seen() -> None:
    """The comparison itself: a class or a text that differs is not equal."""
    server, live = _both(POST_CARD, POST, "en")
    changed = _from_html(
        HtmlRenderer(fields_of(**{**POST, "body_html": "<p>other</p>"}), lang="en", now=NOW).node(
            POST_CARD
        )
    )
    assert changed != live and server == live


def test_pictures_are_thumbnails_that_open_with_alt_text_badges() -> None:
    card = _card(PICTURES)
    (grid,) = _find(card, lambda tag, attrs: attrs.get("class") == "post-media")
    assert dict(grid[1])["role"] == "group"
    images = _find(grid, lambda tag, attrs: tag == "img")
    assert [dict(i[1])["alt"] for i in images] == [
        'A heron <b>"fishing"</b>',
        "A picture without a description",
    ]
    first = dict(images[0][1])
    assert (first["width"], first["height"], first["loading"]) == ("400", "225", "lazy")
    assert first["src"].endswith(f"{101:064x}.jpg")
    openers = _find(grid, lambda tag, attrs: attrs.get("class") == "post-media-open")
    assert [dict(o[1])["data-full"] for o in openers] == [p.url for p in PICTURES["media"]]
    assert all(dict(o[1])["aria-haspopup"] == "dialog" for o in openers)
    # Only the described picture has the ALT badge, and its text is text, not markup.
    (badge,) = _find(grid, lambda tag, attrs: tag == "details")
    assert _text(badge) == 'ALTA heron <b>"fishing"</b>'
    html = HtmlRenderer(fields_of(**PICTURES), lang="en", now=NOW).node(POST_CARD)
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "--placeholder:url(&quot;data:image/png;base64,iVBORw0KGgo=&quot;)" in html


def test_a_card_without_pictures_has_no_grid() -> None:
    assert not _find(_card(POST), lambda tag, attrs: attrs.get("class") == "post-media")


def test_the_link_card_is_one_escaped_link_that_opens_a_new_tab() -> None:
    card = _card(WITH_CARD)
    (link,) = _find(card, lambda tag, attrs: "link-card" in attrs.get("class", "").split())
    attrs = dict(link[1])
    assert link[0] == "a" and attrs["href"] == "https://news.example/story?a=1&b=2"
    assert (attrs["target"], attrs["rel"]) == ("_blank", "nofollow noopener ugc")
    (image,) = _find(link, lambda tag, attrs: tag == "img")
    assert dict(image[1]) == {
        "class": "link-card-image",
        "src": "/media/cards/abc123.webp",
        "alt": "",
        "loading": "lazy",
        "decoding": "async",
    }
    assert _text(link) == (
        "<b>Breaking</b> & newsWhat happened <script>alert(1)</script>news.example"
        "(opens in a new tab)"
    )
    html = HtmlRenderer(fields_of(**WITH_CARD), lang="en", now=NOW).node(POST_CARD)
    assert "<script>" not in html and "&lt;b&gt;Breaking&lt;/b&gt; &amp; news" in html
    assert not _find(_card(POST), lambda tag, attrs: tag == "a" and "target" in attrs)
    assert not _find(_card(WITH_BARE_CARD), lambda tag, attrs: tag == "img")


# -- search results (widgets/search.py) --------------------------------------------------------

PEOPLE_FOUND = [
    UserHit(username="susan", avatar="https://www.gravatar.com/avatar/a?s=36", about_me=""),
    UserHit(
        username="sus_2",
        avatar="https://www.gravatar.com/avatar/b?s=36",
        about_me='I write <script>alert("x")</script> & more',
    ),
]


@pytest.mark.parametrize("lang", ["en", "es", "zh"])
def test_people_found_are_drawn_the_same_and_escaped(lang: str) -> None:
    server, live = _both(PEOPLE, {"users": PEOPLE_FOUND}, lang)
    assert server == live
    people = _find(server[0], lambda tag, attrs: attrs.get("class") == "search-user")
    assert [_text(person).strip() for person in people] == [
        "Ssusan",
        'Ssus_2I write <script>alert("x")</script> & more',
    ]
    markup = HtmlRenderer(fields_of(users=PEOPLE_FOUND), lang=lang, now=NOW).node(PEOPLE)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert ">" + translate(_l("People"), lang) + "</h2>" in markup


@pytest.mark.parametrize(
    ("total", "capped", "lang", "said"),
    [
        (1, False, "en", "1 post matches “sus”"),
        (1234, False, "en", "1,234 posts match “sus”"),
        (10000, True, "en", "10,000+ posts match “sus”"),
        (2, False, "es", "2 publicaciones coinciden con «sus»"),
        (2, False, "zh", "有 2 条动态与“sus”匹配"),
    ],
)
def test_the_count_of_matches_in_each_language(
    total: int, capped: bool, lang: str, said: str
) -> None:
    values = {"total": total, "count_text": count_text(total, capped), "query": "sus"}
    server, live = _both(SUMMARY, values, lang)
    assert server == live
    assert _text(server[0]) == said


def test_searched_words_are_marked_and_the_rest_is_text() -> None:
    values = {"segments": highlight('<i>sus</i> says "Sus!" & susan', ["sus"])}
    server, live = _both(HIGHLIGHTED_BODY, values, "en")
    assert server == live
    marked = _find(server[0], lambda tag, attrs: tag == "mark")
    assert [_text(mark) for mark in marked] == ["sus", "Sus"]
    assert _text(server[0]) == '<i>sus</i> says "Sus!" & susan'  # text, not markup


def test_a_search_result_card_is_drawn_with_its_marked_text() -> None:
    """The server draws the card's text slot as the highlighted text (the live page fills the
    same slot with the same widget, pages/search.py)."""
    values = {**POST, "segments": highlight("Sus & me", ["sus"])}
    markup = HtmlRenderer(fields_of(**values), lang="en", now=NOW, fills=SEARCH_FILLS).node(
        POST_CARD
    )
    card = _from_html(markup)[0]
    bodies = _find(card, lambda tag, attrs: "post-body" in attrs.get("class", "").split())
    assert [(body[0], _text(body)) for body in bodies] == [("p", "Sus & me")]
    assert _text(_find(card, lambda tag, attrs: tag == "mark")[0]) == "Sus"
    assert "alert" not in markup  # the post's own body_html is not drawn
