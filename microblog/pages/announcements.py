"""Announce: administrators publish a site-wide banner."""

from __future__ import annotations

import reflex as rx

from microblog.components.compose_form import compose_form
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.state.announcements import AnnouncementsState as A


def announcements_page() -> rx.Component:
    return layout(
        rx.heading(t("Announce"), size="6"),
        rx.cond(
            A.loaded_here(),
            rx.cond(
                A.is_admin,
                rx.card(
                    compose_form(
                        label=t("Announcement for everyone"),
                        name="announcement",
                        value=A.draft,
                        on_change=A.set_draft,
                        chars_left=A.chars_left,
                        error=A.error,
                        submit_label=t("Publish announcement"),
                        on_submit=A.publish,
                    ),
                    width="100%",
                ),
                rx.callout(
                    t("Only administrators can post announcements."),
                    icon="lock",
                    color_scheme="gray",
                    width="100%",
                ),
            ),
            loading(),
        ),
    )
