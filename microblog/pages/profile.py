"""A user's profile: avatar, about me, last seen, counts, follow button, and three tabs."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.empty_note import empty_note
from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.components.pager import pager
from microblog.components.post_card import person_summary, post_list
from microblog.components.safety import profile_menu
from microblog.components.task_progress import export_actions, export_notice
from microblog.components.widget import ComponentRenderer, fields_of
from microblog.pages.not_found import not_found_content
from microblog.state.export import ExportState
from microblog.state.profile import ProfileState
from microblog.state.session import SessionState
from microblog.widgets.empty_note import NO_POSTS, NOT_AVAILABLE, YOU_BLOCKED
from microblog.widgets.profile import (
    PROFILE_BLOCKED,
    PROFILE_CARD,
    PROFILE_TABS,
    PROFILE_UNAVAILABLE,
)

P = ProfileState.profile


def _header() -> ComponentRenderer:
    """The profile's card and tabs (microblog/widgets/profile.py), as the live page draws them:
    buttons that answer, the export bar, a follow error."""
    return ComponentRenderer(
        fields_of(
            P,
            followers_count=ProfileState.followers_count,
            following_count=ProfileState.following_count,
            is_self=ProfileState.is_self,
            is_following=ProfileState.is_following,
            signed_in=SessionState.is_authenticated,
            send_message_href=ProfileState.send_message_href,
            tab=ProfileState.tab,
        ),
        actions={
            "follow": ProfileState.follow,
            "unfollow": ProfileState.unfollow,
            "export": ExportState.start_export,
            "menu": None,  # the button is the menu's trigger
        },
        slots={
            "export": export_actions,
            "menu": lambda button: profile_menu(
                button[0], P.id, P.username, ProfileState.blocked, ProfileState.muted
            ),
            "after_actions": lambda _nothing: rx.fragment(
                rx.cond(ProfileState.is_self, export_notice(), rx.fragment()),
                rx.cond(
                    ProfileState.follow_error != "",
                    rx.text(ProfileState.follow_error, color_scheme="red", size="2", role="alert"),
                    rx.fragment(),
                ),
            ),
        },
    )


def person_row(person: RowVar) -> rx.Component:
    return rx.card(
        person_summary(person.username, person.avatar_small, person.about_me),
        width="100%",
        class_name="person",
    )


def tab_content() -> rx.Component:
    """The tab's rows; for an account that blocks the reader, only that it is not available
    (it exists, its posts and people are not shown: services/profile.py)."""
    return rx.cond(
        ProfileState.blocks_viewer,
        empty_note(NOT_AVAILABLE, PROFILE_UNAVAILABLE),
        rx.cond(ProfileState.blocked, empty_note(YOU_BLOCKED, PROFILE_BLOCKED), _rows()),
    )


def _rows() -> rx.Component:
    return rx.cond(
        ProfileState.tab == "posts",
        post_list(ProfileState.posts, NO_POSTS, owner=ProfileState),
        rx.cond(
            ProfileState.people.length() > 0,
            rx.vstack(rx.foreach(ProfileState.people, person_row), spacing="2", width="100%"),
            rx.callout(t("Nobody here yet."), icon="info", color_scheme="gray"),
        ),
    )


def profile_page() -> rx.Component:
    return layout(
        feed_first_paint(
            ProfileState.loaded_here(),
            rx.cond(
                ProfileState.not_found,
                not_found_content(t("There is no user with that name.")),
                rx.el.div(
                    *_header().render(PROFILE_CARD, PROFILE_TABS),
                    tab_content(),
                    pager(
                        ProfileState.has_prev,
                        ProfileState.has_next,
                        ProfileState.newer_href,
                        ProfileState.older_href,
                        noun="",
                    ),
                    class_name="profile",
                ),
            ),
        ),
        menus=True,
    )
