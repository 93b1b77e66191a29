"""A widget (microblog/widgets/) as Reflex components: the live page's rendering of the same
description the server writes as HTML (microblog/widgets/html.py).

Values become Vars (`resolve` maps a field to a row's or a state's Var), conditions `rx.cond`,
messages `t(...)` in the reader's language, links React Router's client-side links, buttons call
the handlers `actions` names, and slots are filled by `slots`. Given plain Python values instead
of Vars (a test), conditions are decided at once and the result is static, which lets a test
hold the two renderings against each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from microblog.components.i18n import t, t_message, t_plural
from microblog.components.timestamps import relative_time
from microblog.i18n.messages import Message
from microblog.widgets import tree as w

Resolve = Callable[[str], Any]


@dataclasses.dataclass(frozen=True)
class RowFill:
    """A slot fill that reads the fields of where it is drawn: inside a list, each row fills
    it with its own (a person's user card, in a list of people)."""

    make: Callable[[Resolve, list[rx.Component]], rx.Component]


SlotFill = Callable[[list[rx.Component]], rx.Component] | RowFill
# Props whose React name is not the attribute's with `-` as `_`.
_PROP_NAMES = {"tabindex": "tab_index", "class": "class_name", "viewBox": "view_box"}


def fields_of(holder: Any, **extra: Any) -> Resolve:
    """Fields from `extra`, else the attributes of `holder` (a row Var, a state class)."""
    return lambda name: extra[name] if name in extra else getattr(holder, name)


def _is_var(value: Any) -> bool:
    return isinstance(value, rx.Var)


class ComponentRenderer:
    def __init__(
        self,
        resolve: Resolve,
        *,
        slots: Mapping[str, SlotFill] | None = None,
        actions: Mapping[str, Any] | None = None,
        text: Callable[[Message], Any] | None = None,
    ) -> None:
        self.resolve = resolve
        self.slots = slots or {}
        self.actions = actions or {}
        self.text = text
        # A message in the reader's language: a Var that follows LocaleState.lang, or (tests)
        # the text in one language.
        self.message = text or (lambda m: t(m.msgid))
        self.plural = (
            (lambda m, n: text(Message(m.msgid, m.plural, n)))
            if text
            else (lambda m, n: t_plural(m.msgid, m.plural or m.msgid, n))
        )

    # -- values ---------------------------------------------------------------------------

    def value(self, v: w.Value) -> Any:
        if isinstance(v, Message):
            return self.message(v)
        if isinstance(v, str | int | bool):
            return v
        if isinstance(v, w.Field):
            return self.resolve(v.name)
        if isinstance(v, w.Concat):
            parts = [self.value(part) for part in v.parts]
            if not any(map(_is_var, parts)):
                return "".join(str(part) for part in parts)
            joined = parts[0]
            for part in parts[1:]:
                joined = joined + part
            return joined
        if isinstance(v, w.Profile):
            username = self.value(v.username)
            address = "/user/" + username
            return address + f"?tab={v.tab}" if v.tab else address
        if isinstance(v, w.Thread):
            post_id = self.value(v.post_id)
            return "/post/" + (post_id.to_string() if _is_var(post_id) else str(int(post_id)))
        if isinstance(v, w.Initial):
            return self.value(v.name)[0:1].upper()
        if isinstance(v, w.Hue):
            name = self.value(v.name)
            if not _is_var(name):
                return w.hue_of(str(name))
            # widgets/tree.py's hue_of, in the browser: the same hash over the same code points.
            return rx.Var(
                f"([...String({name!s})].reduce((h, c) => (h * 31 + c.codePointAt(0)) % 1000003,"
                f" 0) % {w.HUES})",
                _var_type=int,
                _var_data=name._get_all_var_data(),
            )
        if isinstance(v, w.Eq):
            return self.value(v.left) == self.value(v.right)
        if isinstance(v, w.Not):
            inner = self.value(v.value)
            return ~inner if _is_var(inner) else not inner
        if isinstance(v, w.And | w.Or):
            parts = [self.value(part) for part in v.values]
            both = isinstance(v, w.And)
            if not any(map(_is_var, parts)):
                return all(parts) if both else any(parts)
            joined = parts[0]
            for part in parts[1:]:
                joined = joined & part if both else joined | part
            return joined
        if isinstance(v, w.Pick):
            test = self.value(v.test)
            if not _is_var(test):
                return self.value(v.then) if test else self.value(v.otherwise)
            return rx.cond(test, self.value(v.then), self.value(v.otherwise))
        if isinstance(v, w.Say):
            params = {name: self.value(value) for name, value in v.params.items()}
            if v.count is not None:
                count = self.value(v.count)
                plural = v.message.plural or v.message.msgid
                if self.text is not None:
                    return self.text(Message(v.message.msgid, plural, count, params))
                return t_plural(v.message.msgid, plural, count, **params)
            if self.text is not None:  # a test: the text in one language
                return self.text(Message(v.message.msgid, params=params))
            return t(v.message.msgid, **params)
        if isinstance(v, w.RowMessage):
            msgid, plural, num, params, text = (
                self.resolve(name) for name in ("msgid", "plural", "num", "params", "text")
            )
            if self.text is not None and not _is_var(msgid):  # a test: the text in one language
                if not msgid:
                    return text
                return self.text(w.row_message(msgid, plural, num, params))
            return t_message(msgid, plural, num, params, text)
        raise TypeError(f"Not a widget value: {v!r}")

    def _props(self, cls: w.Value, attrs: Mapping[str, w.Value]) -> dict[str, Any]:
        props: dict[str, Any] = {"class_name": self.value(cls)} if cls else {}
        for name, value in attrs.items():
            props[_PROP_NAMES.get(name, name.replace("-", "_"))] = self.value(value)
        return props

    # -- nodes ----------------------------------------------------------------------------

    def render(self, *nodes: w.Node) -> list[rx.Component | Any]:
        return [self.node(node) for node in nodes]

    def fragment(self, *nodes: w.Node) -> rx.Component:
        rendered = self.render(*nodes)
        return (
            rendered[0]
            if len(rendered) == 1 and isinstance(rendered[0], rx.Component)
            else (rx.fragment(*rendered))
        )

    def node(self, n: w.Node) -> rx.Component | Any:
        if isinstance(n, w.El):
            return getattr(rx.el, n.tag)(*self.render(*n.children), **self._props(n.cls, n.attrs))
        if isinstance(n, w.Link):
            props = self._props(n.cls, n.attrs)
            if n.external:
                return rx.el.a(*self.render(*n.children), href=self.value(n.to), **props)
            return ReactRouterLink.create(*self.render(*n.children), to=self.value(n.to), **props)
        if isinstance(n, w.Button):
            # An action mapped to None: the button is answered by what wraps it (a dialog's
            # trigger, which must not see a click handler of its own).
            handler = self.actions[n.action]
            events = {"on_click": handler} if handler is not None else {}
            return rx.el.button(
                self.node(n.label), type="button", **events, **self._props(n.cls, n.attrs)
            )
        if isinstance(n, w.Text):
            return self.value(n.value)
        if isinstance(n, w.TrustedHtml):
            return rx.html(self.value(n.html), **self._props(n.cls, n.attrs))
        if isinstance(n, w.Plural):
            return self.plural(n.message, self.value(n.count))
        if isinstance(n, w.Avatar):
            return self._avatar(n)
        if isinstance(n, w.Moment):
            iso = self.value(n.iso)
            return relative_time(iso)
        if isinstance(n, w.When):
            test = self.value(n.test)
            if not _is_var(test):
                return self.fragment(*(n.then if test else n.otherwise))
            return rx.cond(test, self.fragment(*n.then), self.fragment(*n.otherwise))
        if isinstance(n, w.Each):
            return self._each(n)
        if isinstance(n, w.Picture):
            return self._picture(n)
        if isinstance(n, w.Slot):
            defaults = self.render(*n.default)
            fill = self.slots.get(n.name)
            if isinstance(fill, RowFill):
                return fill.make(self.resolve, defaults)
            if fill is not None:
                return fill(defaults)
            if not n.server_draws:  # unfilled, it is what the server draws: nothing
                return rx.fragment()
            return defaults[0] if len(defaults) == 1 else rx.fragment(*defaults)
        return self.value(n)  # a field, a message or a literal, as text

    def _for_row(self, row: Any) -> ComponentRenderer:
        """A renderer for one row of a list: the row's fields (a row Var's, or a plain row's in
        a test), then this renderer's."""
        outer = self.resolve
        if _is_var(row):
            own = {f.name for f in dataclasses.fields(row._var_type)}
        else:
            own = set(row) if isinstance(row, dict) else {f.name for f in dataclasses.fields(row)}

        def resolve(name: str) -> Any:
            if name not in own:
                return outer(name)
            return row[name] if isinstance(row, dict) else getattr(row, name)

        return ComponentRenderer(resolve, slots=self.slots, actions=self.actions, text=self.text)

    def _each(self, n: w.Each) -> rx.Component:
        items = self.value(n.items)
        if not _is_var(items):  # plain rows (a test): drawn at once
            if not items:
                return self.fragment(*n.empty)
            return rx.fragment(*(self._for_row(row).node(n.item) for row in items))
        listed = rx.foreach(items, lambda row: self._for_row(row).node(n.item))
        if not n.empty:
            return listed
        return rx.cond(items.length() > 0, listed, self.fragment(*n.empty))

    def _picture(self, n: w.Picture) -> rx.Component:
        """The placeholder through a plain React style (as `_avatar` does), a CSS variable the
        stylesheet draws as the image's background until the image covers it."""
        placeholder = self.value(n.placeholder)
        props: dict[str, Any] = {"class_name": n.cls} if n.cls else {}
        style = 'url("' + placeholder + '")'
        # width and height as attributes (the intrinsic size that reserves the picture's
        # place): given as props, Reflex would make them CSS.
        return rx.el.img(
            src=self.value(n.src),
            alt=self.value(n.alt),
            loading="lazy",
            decoding="async",
            custom_attrs={
                "width": self.value(n.width),
                "height": self.value(n.height),
                "style": {"--placeholder": style},
            },
            **props,
        )

    def _avatar(self, n: w.Avatar) -> rx.Component:
        """The picture as a CSS background over the initial: the initial shows until the image
        has loaded and stays if it never does, with no script per picture."""
        picture = 'url("' + self.value(n.picture) + '")'
        props = self._props(n.cls, n.attrs)
        custom: dict[str, Any] = {"data-hue": self.value(w.Hue(n.username))}
        if n.picture_in_style:
            props["style"] = {"--avatar": picture}
        else:
            # A plain React style, not Reflex's emotion `style`, which would hash a stylesheet
            # rule per picture. Picture URLs are built by us (a hash, a content name).
            custom["style"] = {"--avatar": picture}
        props["custom_attrs"] = custom
        return rx.el.span(self.value(w.Initial(n.username)), **props)
