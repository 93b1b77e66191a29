"""The top bar: Home, Explore, Messages and Notifications (with live unread badges), Profile,
Log out / Log in, Register, and the dark-mode toggle."""

from __future__ import annotations

import reflex as rx
from reflex.config import get_config
from reflex_components_core.react_router.dom import ReactRouterLink

from microblog import routes
from microblog.components.i18n import t
from microblog.components.language_switcher import language_switcher
from microblog.components.live import count_badge
from microblog.components.search_box import search_box
from microblog.components.widget import ComponentRenderer, fields_of
from microblog.state.live import LiveState
from microblog.state.session import SessionState
from microblog.widgets.navbar import NAV_LINK, SIGNED_IN, SIGNED_OUT


def nav_link(text: str | rx.Var, href: str | rx.Var) -> rx.Component:
    return rx.link(text, href=href, size="3", weight="medium", class_name="nav-link")


NAV_FIRST_PAINT_CLASS = "nav-first-paint"


def nav_first_paint() -> rx.Component:
    """Where the navbar's links for the reader (Messages … Log out, or Log in, Register) are
    drawn by the server until the page knows the session: without them, a signed-in reader's
    navbar grew by a row when the page went live, and the server-drawn posts below it jumped."""
    return rx.html("", class_name=NAV_FIRST_PAINT_CLASS)


def _logout_url() -> str:
    # A real navigation to the backend, which deletes the session and the HttpOnly cookie.
    return f"{get_config().api_url.rstrip('/')}{routes.LOGOUT_HTTP}"


MENU_ID = "nav-menu"
MAIN_ID = "main"  # layout.py's <main>, where the skip link goes


def skip_link() -> rx.Component:
    """The page's first focusable element: hidden until focused, it takes a keyboard or screen
    reader user past the navbar to the page's content (assets/nav_menu.js moves the focus)."""
    return rx.el.a(t("Skip to content"), href=f"#{MAIN_ID}", class_name="skip-link")


def _menu_button() -> rx.Component:
    """On a phone the links, the search box and the language sit behind this button (a
    disclosure: assets/nav_menu.js opens and closes it, Escape too, and moves the focus)."""
    return rx.el.button(
        rx.icon("menu", size=20, aria_hidden="true"),
        type="button",
        class_name="nav-menu-button",
        aria_label=t("Menu"),
        custom_attrs={"aria-expanded": "false", "aria-controls": MENU_ID},
    )


def navbar() -> rx.Component:
    links = ComponentRenderer(
        fields_of(SessionState, logout_url=_logout_url()),
        slots={
            "messages_badge": lambda _none: count_badge(
                LiveState.messages_badge, t("unread messages")
            ),
            "notifications_badge": lambda _none: count_badge(
                LiveState.notifications_badge, t("unread notifications")
            ),
            "announce": lambda _none: rx.cond(
                LiveState.is_admin,
                ReactRouterLink.create(t("Announce"), to=routes.ANNOUNCEMENTS, class_name=NAV_LINK),
                rx.fragment(),
            ),
            # Only a hint: the moderation page and every one of its handlers check the role.
            "moderate": lambda _none: rx.cond(
                LiveState.is_moderator,
                ReactRouterLink.create(t("Moderation"), to=routes.MODERATION, class_name=NAV_LINK),
                rx.fragment(),
            ),
        },
    )
    signed_in = links.node(SIGNED_IN)
    signed_out = links.node(SIGNED_OUT)
    # rx.el.nav, not rx.box(as_="nav"), which draws a <div> (no navigation landmark). One row
    # on a desktop; on a phone (below 64rem, assets/microblog.css) the brand, the theme and
    # the language, the theme and the menu button, with the links and the search in the menu.
    return rx.el.nav(
        # Inside the landmark: the router writes its href as "/<page>/#main", which axe does not
        # take for a skip link, so outside any landmark it counted as stray content.
        skip_link(),
        rx.el.div(
            # Not a heading: each page has its own one <h1>.
            rx.link("Microblog", href=routes.INDEX, underline="none", class_name="nav-brand"),
            rx.el.div(
                rx.el.div(
                    nav_link(t("Home"), routes.INDEX),
                    nav_link(t("Explore"), routes.EXPLORE),
                    search_box(),
                    class_name="nav-group",
                ),
                rx.el.div(
                    rx.cond(
                        SessionState.auth_checked,
                        rx.cond(SessionState.is_authenticated, signed_in, signed_out),
                        # Until the session is known: what the server drew for this reader.
                        nav_first_paint(),
                    ),
                    class_name="nav-group",
                ),
                id=MENU_ID,
                class_name="nav-menu",
            ),
            # Outside the menu: a reader lost in a language they cannot read finds it at once.
            language_switcher(),
            rx.color_mode.button(
                size="2", variant="ghost", aria_label=t("Toggle dark mode"), class_name="nav-theme"
            ),
            _menu_button(),
            class_name="nav-bar",
        ),
        class_name="navbar",
    )
