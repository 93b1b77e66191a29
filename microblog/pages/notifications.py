"""Notifications: replies, mentions, likes, boosts, new followers, messages and announcements,
newest first; each about a post links to its thread."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.i18n import t, t_message
from microblog.components.layout import layout, loading
from microblog.components.pager import pager
from microblog.components.timestamps import relative_time
from microblog.state.notifications import NotificationsState as N

_ICONS = {
    "follower": "user-plus",
    "message": "mail",
    "announcement": "megaphone",
    "export": "file-down",
    "reply": "message-circle",
    "mention": "at-sign",
    "like": "heart",
    "boost": "repeat-2",
}


def notification_row(item: RowVar) -> rx.Component:
    text = rx.text(t_message(item), class_name="notification-text")
    return rx.card(
        rx.hstack(
            rx.match(
                item.kind,
                *((kind, rx.icon(icon, size=18)) for kind, icon in _ICONS.items()),
                rx.icon("bell", size=18),
            ),
            rx.cond(item.href != "", rx.link(text, href=item.href), text),
            rx.spacer(),
            rx.cond(item.unread, rx.badge(t("new"), color_scheme="indigo"), rx.fragment()),
            rx.text(
                relative_time(item.timestamp),
                color_scheme="gray",
                size="2",
                class_name="notification-time",
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        width="100%",
        class_name="notification",
        data_kind=item.kind,
    )


def notifications_page() -> rx.Component:
    return layout(
        rx.heading(t("Notifications"), size="6"),
        rx.cond(
            N.loaded_here(),
            rx.vstack(
                rx.cond(
                    N.notifications.length() > 0,
                    rx.vstack(rx.foreach(N.notifications, notification_row), width="100%"),
                    rx.callout(
                        t(
                            "Nothing yet. Replies, mentions, likes, boosts, new followers and "
                            "messages show up here."
                        ),
                        icon="info",
                        color_scheme="gray",
                        width="100%",
                    ),
                ),
                pager(N.has_prev, N.has_next, N.newer_href, N.older_href, noun="notifications"),
                spacing="4",
                width="100%",
            ),
            loading(),
        ),
    )
