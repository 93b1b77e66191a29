"""Translated UI text as Vars: `t("Home")`, `t("Hi, %(name)s!", name=SessionState.user_name)`,
`t_plural("%(num)d follower", "%(num)d followers", ProfileState.followers_count)`.

Reflex compiles a string literal into the page's JavaScript, so a literal cannot change with
the language. These helpers return a JavaScript call instead, `t(lang, "Home")`, that looks the
msgid up in the catalogs module (assets/i18n/runtime.js + the generated catalogs.js), imported
by the Var itself so it is in the bundle before the first render. The call reads
`LocaleState.lang`, so React re-renders the text when that one state var changes: switching
language needs no reload and no catalog in any tab's state.

`t` and `t_plural` are also extraction markers (microblog/i18n/tools.py): write the msgid as a
literal so `translate update` finds it.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars.base import VarData

from microblog.state.locale import LocaleState

RUNTIME = "$/public/i18n/runtime.js"
_IMPORTS = {
    RUNTIME: [
        ImportVar(tag=name, alias=f"i18n_{name}", install=False)
        for name in ("t", "tn", "tMessage", "relativeTime", "timeTip", "currentLang")
    ]
}


def _js(value: Any) -> tuple[str, VarData | None]:
    if isinstance(value, rx.Var):
        return str(value), value._get_all_var_data()
    return json.dumps(value, ensure_ascii=False), None


def _call(function: str, *args: Any, params: dict[str, Any] | None = None) -> rx.Var:
    """`i18n_<function>(<lang>, *args[, {params}])` as a string Var that depends on the language
    var and on every Var among the arguments."""
    rendered, datas = [], []
    for arg in (LocaleState.lang, *args):
        text, data = _js(arg)
        rendered.append(text)
        datas.append(data)
    if params:
        fields = []
        for name, value in params.items():
            text, data = _js(value)
            fields.append(f"{json.dumps(name)}: {text}")
            datas.append(data)
        rendered.append("({" + ", ".join(fields) + "})")
    return rx.Var(
        f"i18n_{function}({', '.join(rendered)})",
        _var_type=str,
        _var_data=VarData.merge(VarData(imports=_IMPORTS), *datas),
    )


def t(msgid: str, **params: Any) -> rx.Var:
    """`msgid` in the reader's language; `%(name)s` placeholders filled from `params` (plain
    values or Vars)."""
    return _call("t", msgid, params=params)


def t_plural(singular: str, plural: str, num: rx.Var | int, **params: Any) -> rx.Var:
    """The plural form for `num` under the language's own rules (Chinese has one form, Spanish
    and English two); `%(num)d` is the count."""
    return _call("tn", singular, plural, num, params=params)


def t_stored(msgid: rx.Var) -> rx.Var:
    """A msgid that arrives as data rather than as a literal: a background task's message,
    stored in its row in English because the task does not know who will read it. It is marked
    with `_l` where it is produced (so it is in the catalogs) and looked up here like `t`, so it
    follows the tab's language; text that is not in the catalogs shows as it is."""
    return _call("t", msgid)


def t_message(msgid: Any, plural: Any, num: Any, params: Any, text: Any) -> rx.Var:
    """A row's catalog message (its `msgid`, `plural`, `num`, `params` fields:
    schemas.NotificationRow) in the reader's language, following a language switch in place;
    the row's `text` when it has no msgid."""
    return _call("tMessage", msgid, plural, num, params, text)


def reader_language() -> rx.Var:
    """The language the page's text is in right now: the state's, or before that arrives the
    visitor's stored choice, else English (`currentLang` in runtime.js). Compare with this, not
    with `LocaleState.lang`, which is "" until the state has said otherwise."""
    return _call("currentLang")


def relative_time_text(iso: rx.Var) -> rx.Var:
    """ "3 minutes ago" / "hace 3 minutos" / "3分钟前", from our catalogs in the browser."""
    return _call("relativeTime", iso)


def time_tip_handler(action: str) -> rx.Var:
    """A handler of a relative time's tooltip with its full local date and time (runtime.js
    `timeTip`): "show" (focus, pointer, tap), "hide" (blur), "leave" (the pointer leaves; a
    focused time keeps its tip), "key" (Escape hides)."""
    return _call("timeTip", action)
