"""The navbar's links for the reader, drawn by the server into a first-painted page
(components/feed_first_paint.py's `nav_first_paint`), as components/navbar.py renders them.

The prerendered page does not know who reads it, so its navbar had neither Messages … Log out
nor Log in, Register until the page went live; for a signed-in reader the links then wrapped
the navbar onto a second row and everything the server had drawn below moved down. The unread
counts beside Messages and Notifications, and an administrator's Announce, come with the live
page.
"""

from __future__ import annotations

from microblog import routes
from microblog.i18n import translators
from microblog.services.auth_sessions import SessionUser
from microblog.web.markup import NAV_LINK, NAV_ROW, NAV_WITH_BADGE, link_html


def _link(label: str, href: str) -> str:
    return link_html(label, href, NAV_LINK)


def nav_html(reader: SessionUser | None, *, lang: str) -> str:
    _ = translators(lang)[0]
    if reader is None:
        links = _link(_("Log in"), routes.LOGIN) + _link(_("Register"), routes.REGISTER)
    else:
        links = (
            f'<span class="{NAV_WITH_BADGE}">{_link(_("Messages"), routes.MESSAGES)}</span>'
            f'<span class="{NAV_WITH_BADGE}">'
            f"{_link(_('Notifications'), routes.NOTIFICATIONS)}</span>"
            + _link(_("Profile"), routes.user_url(reader.username))
            + _link(_("Log out"), routes.LOGOUT_HTTP)
        )
    return f'<div class="{NAV_ROW}">{links}</div>'
