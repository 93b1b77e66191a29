"""Pieces that show live data on every page: unread badges and the announcement banner."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import t
from microblog.state.live import LiveState


def count_badge(text: rx.Var, label: str | rx.Var) -> rx.Component:
    """A small pill beside a navbar link; absent when there is nothing unread."""
    return rx.cond(
        text != "",
        rx.badge(
            text,
            color_scheme="red",
            variant="solid",
            # White on Radix's red 9 is 3.9:1; the high-contrast pill passes in both themes.
            high_contrast=True,
            radius="full",
            aria_label=label,
        ),
        rx.fragment(),
    )


def announcement_banner() -> rx.Component:
    announcement = LiveState.announcement
    return rx.cond(
        announcement,
        rx.callout.root(
            rx.callout.icon(rx.icon("megaphone")),
            rx.hstack(
                rx.callout.text(
                    rx.text.strong(announcement.author_username, ": "),
                    announcement.body,
                    class_name="announcement-body",
                ),
                rx.icon_button(
                    rx.icon("x"),
                    size="1",
                    variant="ghost",
                    aria_label=t("Dismiss announcement"),
                    on_click=LiveState.dismiss_announcement,
                ),
                justify="between",
                align="start",
                width="100%",
            ),
            color_scheme="amber",
            high_contrast=True,  # amber-11 on amber-3 is 4.24:1, under WCAG AA's 4.5
            width="100%",
            class_name="announcement",
            role="status",
        ),
        rx.fragment(),
    )
