"""Translatable messages that can travel from the services to the UI before being translated.

A service does not know who will read its message (the web page of a Spanish reader, the English
REST API, a log line), so it returns a `Message`: a `str` that reads as English everywhere a plain
string is expected, and that also carries its catalog key (`msgid`, the plural form and count)
and its parameters, so a caller that knows the reader's language can translate it later with
`microblog.i18n.translate`.

`_l`/`_ln` are also the markers `pybabel extract` looks for (see babel.cfg and cli.py), so a
string is in the catalog because it is written with them.
"""

from __future__ import annotations

from typing import Any


class Message(str):
    """English text plus what is needed to translate it: msgid, plural msgid, count, params."""

    msgid: str
    plural: str | None
    num: int | None
    params: dict[str, Any]

    def __new__(
        cls,
        msgid: str,
        plural: str | None = None,
        num: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> Message:
        params = dict(params or {})
        if plural is not None and num is not None:
            params.setdefault("num", num)
            template = msgid if num == 1 else plural
        else:
            template = msgid
        instance = super().__new__(cls, interpolate(template, params))
        instance.msgid, instance.plural, instance.num, instance.params = msgid, plural, num, params
        return instance

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with Reflex state or across processes: keep it translatable.
        return (Message, (self.msgid, self.plural, self.num, self.params))


class _Unfilled(dict[str, Any]):
    """Params whose missing names stay as written (`%(name)s`), to be filled later."""

    def __missing__(self, name: str) -> str:
        return f"%({name})s"


def interpolate(template: str, params: dict[str, Any]) -> str:
    """`%(name)s`-style formatting that leaves a template without params alone (so a literal
    '%' in a message without placeholders is not an error), and a placeholder without a param
    as written: a widget's plural message (`_ln(..., 0)`) gets its params where it is drawn."""
    return template % _Unfilled(params) if params else template


def _l(msgid: str, **params: Any) -> Message:
    """A translatable message: `_l("User %(username)s not found.", username=name)`."""
    return Message(msgid, params=params)


def _ln(singular: str, plural: str, num: int, **params: Any) -> Message:
    """A translatable message with plural forms; `%(num)d` is the count."""
    return Message(singular, plural, num, params)
