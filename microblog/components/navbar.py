"""The top bar: Home, Explore, Messages and Notifications (with live unread badges), Profile,
Log out / Log in, Register, and the dark-mode toggle."""

from __future__ import annotations

import reflex as rx
from reflex.config import get_config

from microblog import routes
from microblog.components.i18n import t
from microblog.components.language_switcher import language_switcher
from microblog.components.live import count_badge
from microblog.components.search_box import search_box
from microblog.state.live import LiveState
from microblog.state.session import SessionState


def nav_link(text: str | rx.Var, href: str | rx.Var) -> rx.Component:
    return rx.link(text, href=href, size="3", weight="medium", class_name="nav-link")


def _logout_url() -> str:
    # A real navigation to the backend, which deletes the session and the HttpOnly cookie.
    return f"{get_config().api_url.rstrip('/')}{routes.LOGOUT_HTTP}"


def nav_link_with_badge(
    text: str | rx.Var, href: str, badge: rx.Var, label: str | rx.Var
) -> rx.Component:
    return rx.hstack(nav_link(text, href), count_badge(badge, label), spacing="1", align="center")


def navbar() -> rx.Component:
    signed_in = rx.hstack(
        nav_link_with_badge(
            t("Messages"), routes.MESSAGES, LiveState.messages_badge, t("unread messages")
        ),
        nav_link_with_badge(
            t("Notifications"),
            routes.NOTIFICATIONS,
            LiveState.notifications_badge,
            t("unread notifications"),
        ),
        rx.cond(LiveState.is_admin, nav_link(t("Announce"), routes.ANNOUNCEMENTS), rx.fragment()),
        nav_link(t("Profile"), "/user/" + SessionState.user_name),
        rx.link(t("Log out"), href=_logout_url(), size="3", weight="medium", is_external=False),
        spacing="4",
        align="center",
    )
    signed_out = rx.hstack(
        nav_link(t("Log in"), routes.LOGIN),
        nav_link(t("Register"), routes.REGISTER),
        spacing="4",
        align="center",
    )
    return rx.box(
        rx.hstack(
            rx.hstack(
                rx.link(rx.heading("Microblog", size="5"), href=routes.INDEX, underline="none"),
                nav_link(t("Home"), routes.INDEX),
                nav_link(t("Explore"), routes.EXPLORE),
                search_box(),
                spacing="4",
                align="center",
            ),
            rx.hstack(
                rx.cond(
                    SessionState.auth_checked,
                    rx.cond(SessionState.is_authenticated, signed_in, signed_out),
                    rx.fragment(),
                ),
                language_switcher(),
                rx.color_mode.button(size="2", variant="ghost", aria_label=t("Toggle dark mode")),
                spacing="4",
                align="center",
            ),
            justify="between",
            align="center",
            wrap="wrap",
            spacing="3",
            max_width="48rem",
            margin_x="auto",
            padding_x="1rem",
            padding_y="0.75rem",
        ),
        as_="nav",
        border_bottom="1px solid var(--gray-a5)",
        width="100%",
        position="sticky",
        top="0",
        z_index="10",
        background_color="var(--color-background)",
    )
