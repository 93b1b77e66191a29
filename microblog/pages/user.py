"""A user's profile: avatar, about me, last seen, counts, follow button, and three tabs."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.i18n import t, t_plural
from microblog.components.layout import layout, loading
from microblog.components.pager import pager
from microblog.components.post_card import large_avatar, person_summary, post_list
from microblog.components.task_progress import export_button
from microblog.components.timestamps import local_time, relative_time
from microblog.pages.not_found import not_found_content
from microblog.state.profile import ProfileState
from microblog.state.session import SessionState

P = ProfileState.profile


def follow_button() -> rx.Component:
    return rx.cond(
        ProfileState.is_self,
        rx.link(rx.button(t("Edit your profile"), variant="soft"), href=routes.EDIT_PROFILE),
        rx.cond(
            SessionState.is_authenticated,
            rx.hstack(
                rx.cond(
                    ProfileState.is_following,
                    rx.button(t("Unfollow"), on_click=ProfileState.unfollow, variant="outline"),
                    rx.button(t("Follow"), on_click=ProfileState.follow),
                ),
                rx.link(
                    rx.button(rx.icon("mail"), t("Send private message"), variant="soft"),
                    href=ProfileState.send_message_href,
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.fragment(),
        ),
    )


def profile_card() -> rx.Component:
    return rx.card(
        rx.hstack(
            large_avatar(P.username, P.avatar),
            rx.vstack(
                rx.heading(P.username, size="7", class_name="profile-username"),
                rx.cond(
                    P.about_me != "", rx.text(P.about_me, class_name="about-me"), rx.fragment()
                ),
                rx.text(
                    t("Last seen on"),
                    " ",
                    local_time(P.last_seen),
                    " (",
                    relative_time(P.last_seen),
                    ")",
                    size="2",
                    color_scheme="gray",
                    class_name="last-seen",
                ),
                rx.hstack(
                    rx.text(
                        rx.text.strong(ProfileState.followers_count, class_name="followers-count"),
                        " ",
                        t_plural("follower", "followers", ProfileState.followers_count),
                    ),
                    rx.text(
                        rx.text.strong(ProfileState.following_count, class_name="following-count"),
                        " ",
                        t("following"),
                    ),
                    spacing="4",
                ),
                follow_button(),
                rx.cond(ProfileState.is_self, export_button(), rx.fragment()),
                rx.cond(
                    ProfileState.follow_error != "",
                    rx.text(ProfileState.follow_error, color_scheme="red", size="2", role="alert"),
                    rx.fragment(),
                ),
                spacing="2",
                align="start",
            ),
            spacing="5",
            align="start",
            wrap="wrap",
        ),
        width="100%",
    )


def tab_link(label: str | rx.Var, tab: str) -> rx.Component:
    return rx.link(
        rx.button(
            label,
            variant=rx.cond(ProfileState.tab == tab, "solid", "ghost"),
            size="2",
        ),
        href="/user/" + P.username + f"?tab={tab}",
    )


def person_row(person: rx.Var) -> rx.Component:
    return rx.card(
        person_summary(person.username, person.avatar_small, person.about_me),
        width="100%",
        class_name="person",
    )


def tab_content() -> rx.Component:
    return rx.cond(
        ProfileState.tab == "posts",
        post_list(ProfileState.posts, t("No posts yet.")),
        rx.cond(
            ProfileState.people.length() > 0,
            rx.vstack(rx.foreach(ProfileState.people, person_row), spacing="2", width="100%"),
            rx.callout(t("Nobody here yet."), icon="info", color_scheme="gray"),
        ),
    )


def user_page() -> rx.Component:
    return layout(
        rx.cond(
            ProfileState.loaded_here(),
            rx.cond(
                ProfileState.not_found,
                not_found_content(t("There is no user with that name.")),
                rx.vstack(
                    profile_card(),
                    rx.hstack(
                        tab_link(t("Posts"), "posts"),
                        tab_link(t("Followers"), "followers"),
                        tab_link(t("Following"), "following"),
                        spacing="2",
                    ),
                    tab_content(),
                    pager(
                        ProfileState.has_prev,
                        ProfileState.has_next,
                        ProfileState.newer_href,
                        ProfileState.older_href,
                        noun="",
                    ),
                    spacing="4",
                    width="100%",
                ),
            ),
            loading(),
        )
    )
