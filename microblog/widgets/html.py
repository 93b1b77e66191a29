"""A widget as escaped HTML: what the server writes into a page's first paint. Every value is
escaped here, once; nothing a user wrote reaches the page as markup, but the one `TrustedHtml`
node: a post's body as we rendered and sanitised it when it was written.

Buttons are drawn `aria-disabled`, since nothing answers a click until the page is live; slots
draw their default; times are written as the live page first shows them (relative words from
our catalogs; a full date as digits, in UTC, since the server does not know the reader's time
zone).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from microblog.i18n import translate
from microblog.i18n.messages import Message
from microblog.i18n.relative_time import relative_time_text
from microblog.routes import post_url, user_url
from microblog.widgets import tree as w

Resolve = Callable[[str], Any]


def fields_of(*sources: object, **extra: Any) -> Resolve:
    """Read fields from `extra`, then from each source's attributes in turn."""

    def resolve(name: str) -> Any:
        if name in extra:
            return extra[name]
        for source in sources:
            if hasattr(source, name):
                return getattr(source, name)
        raise KeyError(f"No field {name!r} to draw")

    return resolve


class HtmlRenderer:
    """Render nodes for one reader (`lang`) at one moment (`now`) from `resolve`'s fields."""

    def __init__(
        self,
        resolve: Resolve,
        *,
        lang: str,
        now: datetime,
        fills: Mapping[str, tuple[w.Node, ...]] | None = None,
    ) -> None:
        """`fills`: what the server draws in a slot instead of its default (a search result's
        text with the searched words marked, widgets/search.py)."""
        self.resolve, self.lang, self.now = resolve, lang, now
        self.fills = fills or {}

    # -- values ---------------------------------------------------------------------------

    def value(self, v: w.Value) -> Any:
        if isinstance(v, Message):
            return translate(v, self.lang)
        if isinstance(v, str | int | bool):
            return v
        if isinstance(v, w.Field):
            return self.resolve(v.name)
        if isinstance(v, w.Concat):
            return "".join(str(self.value(part)) for part in v.parts)
        if isinstance(v, w.Profile):
            return user_url(str(self.value(v.username)), v.tab)
        if isinstance(v, w.Thread):
            return post_url(int(self.value(v.post_id)))
        if isinstance(v, w.Initial):
            return str(self.value(v.name))[:1].upper()
        if isinstance(v, w.Hue):
            return w.hue_of(str(self.value(v.name)))
        if isinstance(v, w.Eq):
            return self.value(v.left) == self.value(v.right)
        if isinstance(v, w.Not):
            return not self.value(v.value)
        if isinstance(v, w.And):
            return all(self.value(part) for part in v.values)
        if isinstance(v, w.Or):
            return any(self.value(part) for part in v.values)
        if isinstance(v, w.Pick):
            return self.value(v.then) if self.value(v.test) else self.value(v.otherwise)
        if isinstance(v, w.Say):
            params = {name: self.value(value) for name, value in v.params.items()}
            if v.count is None:
                return translate(Message(v.message.msgid, params=params), self.lang)
            count = int(self.value(v.count))
            return translate(Message(v.message.msgid, v.message.plural, count, params), self.lang)
        if isinstance(v, w.RowMessage):
            msgid = str(self.resolve("msgid"))
            if not msgid:
                return str(self.resolve("text"))
            message = w.row_message(
                msgid,
                str(self.resolve("plural")),
                int(self.resolve("num")),
                dict(self.resolve("params")),
            )
            return translate(message, self.lang)
        raise TypeError(f"Not a widget value: {v!r}")

    def text(self, v: w.Value) -> str:
        return html.escape(str(self.value(v)))

    def _attrs(self, cls: w.Value, attrs: dict[str, w.Value]) -> str:
        pairs = [("class", cls)] if cls else []
        pairs += list(attrs.items())  # in the order the widget gives them
        written = []
        for name, value in pairs:
            resolved = self.value(value)
            if resolved is None or resolved is False:
                continue
            written.append(f' {name}="{html.escape(str(resolved))}"')
        return "".join(written)

    # -- nodes ----------------------------------------------------------------------------

    def render(self, *nodes: w.Node) -> str:
        return "".join(self.node(node) for node in nodes)

    def node(self, n: w.Node) -> str:
        if isinstance(n, w.El):
            return self._element(n.tag, n.cls, dict(n.attrs), self.render(*n.children))
        if isinstance(n, w.Link):
            return self._element("a", n.cls, {**n.attrs, "href": n.to}, self.render(*n.children))
        if isinstance(n, w.Button):
            attrs: dict[str, w.Value] = {"type": "button", "aria-disabled": "true", **n.attrs}
            return self._element("button", n.cls, attrs, self.node(n.label))
        if isinstance(n, w.Text):
            return self.text(n.value)
        if isinstance(n, w.TrustedHtml):
            # Not escaped: sanitised when written (services/post_body.py). rx.html's class too.
            cls = w.Concat(("rx-Html ", n.cls)) if n.cls else "rx-Html"
            return self._element("div", cls, dict(n.attrs), str(self.value(n.html)))
        if isinstance(n, w.Plural):
            count = int(self.value(n.count))
            message = Message(n.message.msgid, n.message.plural, count)
            return html.escape(translate(message, self.lang))
        if isinstance(n, w.Avatar):
            attrs = {**n.attrs, "data-hue": w.Hue(n.username)}
            return self._element("span", n.cls, attrs, self.text(w.Initial(n.username)))
        if isinstance(n, w.Moment):
            iso = str(self.value(n.iso))
            words = relative_time_text(iso, lang=self.lang, now=self.now)
            attrs = {
                "datetime": iso,
                "tabindex": "0",
            }  # focusable, as the live page's (timestamps.py)
            return self._element("time", "relative-time", attrs, html.escape(words))
        if isinstance(n, w.When):
            return self.render(*(n.then if self.value(n.test) else n.otherwise))
        if isinstance(n, w.Each):
            rows = self.value(n.items)
            if not rows:
                return self.render(*n.empty)
            return "".join(self._for_row(row).node(n.item) for row in rows)
        if isinstance(n, w.Picture):
            return self._picture(n)
        if isinstance(n, w.Slot):
            if n.name in self.fills:
                return self.render(*self.fills[n.name])
            return self.render(*n.default) if n.server_draws else ""
        return self.text(n)  # a field, a message or a literal, as text

    def _for_row(self, row: object) -> HtmlRenderer:
        """A renderer for one row of a list: the row's fields, then this renderer's."""
        outer = self.resolve

        def resolve(name: str) -> Any:
            return getattr(row, name) if hasattr(row, name) else outer(name)

        return HtmlRenderer(resolve, lang=self.lang, now=self.now, fills=self.fills)

    def _picture(self, n: w.Picture) -> str:
        """`<img>` is a void element: no closing tag. The placeholder is a CSS variable the
        stylesheet draws as the image's background."""
        placeholder = str(self.value(n.placeholder))
        attrs: dict[str, w.Value] = {
            "src": n.src,
            "alt": n.alt,
            "width": n.width,
            "height": n.height,
            "loading": "lazy",
            "decoding": "async",
            "style": f'--placeholder:url("{placeholder}")',
        }
        return f"<img{self._attrs(n.cls, attrs)}>"

    def _element(self, tag: str, cls: w.Value, attrs: dict[str, w.Value], inner: str) -> str:
        """`inner` is markup already escaped. A void element (`img`) has no end tag."""
        if tag in VOID_ELEMENTS:
            return f"<{tag}{self._attrs(cls, attrs)}>"
        return f"<{tag}{self._attrs(cls, attrs)}>{inner}</{tag}>"


VOID_ELEMENTS = frozenset({"img", "br", "hr", "input", "source", "wbr"})
