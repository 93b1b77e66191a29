"""The Notifications page's first paint: a page of the reader's lines, the newest first, drawn by
the server from the widget the live page renders (microblog/widgets/notifications.py) into the
page's HTML; first_paint.py serves it, for the signed-in reader's own notifications only.

Drawing them marks nothing read: the live page does, when it loads, and keeps the lines that
were unread then flagged "new", as drawn here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from microblog.schemas import NotificationRow
from microblog.widgets.html import HtmlRenderer, fields_of
from microblog.widgets.notifications import NOTIFICATION_LIST


def notifications_html(rows: Sequence[NotificationRow], *, lang: str, now: datetime) -> str:
    """The lines as pages/notifications.py draws them (first_paint.py adds the pager below
    them); every value escaped."""
    lines = [row.for_page(lang) for row in rows]
    return HtmlRenderer(fields_of(notifications=lines), lang=lang, now=now).node(NOTIFICATION_LIST)
