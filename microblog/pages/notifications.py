"""Notifications: replies, mentions, likes, boosts, new followers, messages and announcements,
newest first; each about a post links to its thread. Until the page's data arrives, what the
server drew into the page's HTML shows (web/first_paint.py: the same lines, from the same
widget)."""

from __future__ import annotations

import reflex as rx

from microblog.components.empty_note import empty_note
from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.components.pager import pager
from microblog.components.widget import ComponentRenderer, fields_of
from microblog.state.notifications import NotificationsState as N
from microblog.widgets.empty_note import NO_NOTIFICATIONS
from microblog.widgets.notifications import NOTIFICATION_LIST


def notifications_page() -> rx.Component:
    return layout(
        rx.heading(t("Notifications"), size="6"),
        feed_first_paint(
            N.loaded_here(),
            rx.vstack(
                rx.cond(
                    N.notifications.length() > 0,
                    ComponentRenderer(fields_of(N)).node(NOTIFICATION_LIST),
                    empty_note(NO_NOTIFICATIONS),
                ),
                pager(N.has_prev, N.has_next, N.newer_href, N.older_href, noun="notifications"),
                spacing="4",
                width="100%",
            ),
        ),
    )
