"""Class names written both by a page's live components and by the server that draws the page's
first paint (web/first_paint.py), so the two renderings cannot drift apart by a typo.

Buttons on the profile are plain elements with Radix Themes' own button classes: they look like
`rx.button`, without a Themes component to resolve per render, and the server can write the
same markup. No Reflex here: the API imports this module.
"""

from __future__ import annotations

import html
from typing import Literal

ButtonVariant = Literal["solid", "soft", "outline", "ghost"]


def button_class(variant: ButtonVariant) -> str:
    """The classes Radix Themes gives a size 2 button of `variant`."""
    return f"rt-reset rt-BaseButton rt-r-size-2 rt-variant-{variant} rt-Button"


def link_html(label: str, href: str, css_class: str) -> str:
    """A link as the server writes it into a first paint, label and address escaped."""
    return f'<a class="{css_class}" href="{html.escape(href)}">{html.escape(label)}</a>'


PROFILE_TAB = "profile-tab"
"""One of the profile's tab links (Posts, Followers, Following), styled as a button."""

NAV_ROW = "nav-session"
"""The navbar's links that depend on who is reading (Messages … Log out, or Log in, Register)."""
NAV_LINK = "rt-Text rt-reset rt-Link rt-r-size-3 rt-r-weight-medium rt-underline-auto nav-link"
"""A navbar link: Radix Themes' classes for `rx.link(size="3", weight="medium")`."""
NAV_WITH_BADGE = "nav-with-badge"
"""A navbar link and its unread count (the count comes with the live page)."""
