"""The words of relative times ("3 minutes ago", "hace 3 minutos", "3分钟前"), from our own
catalogs rather than the browser's Intl.RelativeTimeFormat.

The first Intl formatter a page builds loads the browser's locale data inside every fresh
page's first render, for text a catalog already does as well. The units are listed here, marked
for extraction like any other message; `translate compile` writes them into the browser's
catalogs module (jsexport.py), where `relativeTime` in assets/i18n/runtime.js picks the unit and
the plural form.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from microblog.i18n.catalogs import translate
from microblog.i18n.messages import Message, _l, _ln

JUST_NOW: Message = _l("just now")
"""Anything under 45 seconds old, and times a little in the future (clock skew)."""

# The largest unit the age reaches, counted in whole units rounded to nearest, as
# Intl.RelativeTimeFormat users usually do: 89 seconds is "1 minute ago".
UNITS: tuple[tuple[int, Message], ...] = (
    (365 * 86_400, _ln("%(num)d year ago", "%(num)d years ago", 0)),
    (30 * 86_400, _ln("%(num)d month ago", "%(num)d months ago", 0)),
    (7 * 86_400, _ln("%(num)d week ago", "%(num)d weeks ago", 0)),
    (86_400, _ln("%(num)d day ago", "%(num)d days ago", 0)),
    (3_600, _ln("%(num)d hour ago", "%(num)d hours ago", 0)),
    (60, _ln("%(num)d minute ago", "%(num)d minutes ago", 0)),
    (1, _ln("%(num)d second ago", "%(num)d seconds ago", 0)),
)


def units_for_js() -> list[list[int | str]]:
    """[seconds, singular msgid, plural msgid] per unit, largest first."""
    return [[seconds, message.msgid, message.plural or message.msgid] for seconds, message in UNITS]


def relative_time_text(iso: str, *, lang: str, now: datetime) -> str:
    """The words `relativeTime` in assets/i18n/runtime.js shows for `iso`, for HTML the server
    writes (microblog/web/first_paint.py): the same units, rounding and catalogs."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (now - when).total_seconds()
    if seconds < 45:
        return translate(JUST_NOW, lang)
    # The largest unit reached; there always is one, the smallest being a second.
    size, unit = next((size, unit) for size, unit in UNITS if seconds >= size)
    count = math.floor(seconds / size + 0.5)  # Math.round, not banker's rounding
    return translate(Message(unit.msgid, unit.plural, count), lang)
