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
from microblog.i18n import translate
from microblog.widgets.html import HtmlRenderer, fields_of
from microblog.widgets.navbar import SIGNED_IN, SIGNED_OUT
from microblog.widgets.post_card import POST_CARD
from microblog.widgets.profile import PROFILE_CARD, PROFILE_TABS
from microblog.widgets.tree import Node

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
# React's prop names, and the attribute each one writes.
_ATTRIBUTE = {"className": "class", "tabIndex": "tabindex", "dateTime": "datetime", "to": "href"}
_EVENTS = ("onClick", "onMouseEnter")
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
        if tag == "button":  # the server's buttons wait for the live page (widgets/html.py)
            assert values.pop("aria-disabled") == "true"
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
        actions={"follow": None, "unfollow": None, "export": None},
    ).node(node)
    return _from_html(html), _from_component(live.render())


POST = {
    "id": 7,
    "author_username": "susan",
    "author_avatar": "https://www.gravatar.com/avatar/abc?d=identicon&s=36",
    "timestamp": "2026-12-02T11:00:00+00:00",
    "body": '<script>alert("x")</script> & <b>bold</b>',
    "language": "en",
}


@pytest.mark.parametrize("lang", ["en", "es", "zh"])
def test_the_post_card_is_drawn_the_same_by_the_server_and_the_live_page(lang: str) -> None:
    server, live = _both(POST_CARD, POST, lang)
    assert server == live
    article = server[0]
    assert article[0] == "article" and ("data-post-id", "7") in article[1]


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


@pytest.mark.parametrize("widget", [SIGNED_IN, SIGNED_OUT], ids=["signed in", "visitor"])
def test_the_navbar_links_are_drawn_the_same(widget: Node) -> None:
    server, live = _both(widget, {"user_name": "tom", "logout_url": "/auth/logout"}, "zh")
    assert server == live


def test_a_difference_would_be_seen() -> None:
    """The comparison itself: a class or a text that differs is not equal."""
    server, live = _both(POST_CARD, POST, "en")
    changed = _from_html(
        HtmlRenderer(fields_of(**{**POST, "body": "other"}), lang="en", now=NOW).node(POST_CARD)
    )
    assert changed != live and server == live
