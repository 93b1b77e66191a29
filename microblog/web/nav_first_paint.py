"""The navbar's links for the reader, drawn by the server into a first-painted page
(components/navbar.py's `nav_first_paint`) from the widget the live navbar renders
(microblog/widgets/navbar.py).

The prerendered page does not know who reads it, so its navbar had neither Messages … Log out
nor Log in, Register until the page went live; for a signed-in reader the links then wrapped
the navbar onto a second row and everything the server had drawn below moved down. The unread
counts beside Messages and Notifications, and an administrator's Announce, come with the live
page.
"""

from __future__ import annotations

from microblog import routes
from microblog.models import utcnow
from microblog.services.auth_sessions import SessionUser
from microblog.widgets.html import HtmlRenderer, fields_of
from microblog.widgets.navbar import SIGNED_IN, SIGNED_OUT


def nav_html(reader: SessionUser | None, *, lang: str) -> str:
    if reader is None:
        return HtmlRenderer(fields_of(), lang=lang, now=utcnow()).node(SIGNED_OUT)
    # Pages are served with the backend in production: its logout address is ours.
    # The picture comes with the live page: the server draws the initial (first_paint.py).
    fields = fields_of(user_name=reader.username, user_avatar="", logout_url=routes.LOGOUT_HTTP)
    return HtmlRenderer(fields, lang=lang, now=utcnow()).node(SIGNED_IN)
