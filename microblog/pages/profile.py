"""A user's profile: avatar, about me, last seen, counts, follow button, and three tabs."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from microblog import routes
from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t, t_plural
from microblog.components.layout import layout
from microblog.components.pager import pager
from microblog.components.post_card import large_avatar, person_summary, post_list
from microblog.components.task_progress import export_actions, export_notice
from microblog.components.timestamps import local_time, relative_time
from microblog.pages.not_found import not_found_content
from microblog.state.profile import ProfileState
from microblog.state.session import SessionState
from microblog.web.markup import PROFILE_TAB, button_class

P = ProfileState.profile


def _action_link(label: rx.Var, href: rx.Var | str) -> rx.Component:
    """A link drawn as a soft button (a client-side link, like the tabs)."""
    return ReactRouterLink.create(label, to=href, class_name=button_class("soft"))


def profile_actions() -> rx.Component:
    """Your own profile: edit it, export your posts. Someone else's, when signed in: follow or
    unfollow, send a message. A visitor's: none (the row stays, empty)."""
    return rx.el.div(
        rx.cond(
            ProfileState.is_self,
            rx.fragment(
                _action_link(t("Edit your profile"), routes.EDIT_PROFILE), export_actions()
            ),
            rx.cond(
                SessionState.is_authenticated,
                rx.fragment(
                    rx.cond(
                        ProfileState.is_following,
                        rx.el.button(
                            t("Unfollow"),
                            type="button",
                            class_name=button_class("outline"),
                            on_click=ProfileState.unfollow,
                        ),
                        rx.el.button(
                            t("Follow"),
                            type="button",
                            class_name=button_class("solid"),
                            on_click=ProfileState.follow,
                        ),
                    ),
                    _action_link(t("Send private message"), ProfileState.send_message_href),
                ),
                rx.fragment(),
            ),
        ),
        class_name="profile-actions",
    )


def profile_card() -> rx.Component:
    """Plain elements with our classes (assets/microblog.css), as the server writes them into
    the page's first paint (web/first_paint.py): the two must read the same."""
    return rx.el.div(
        large_avatar(P.username, P.avatar),
        rx.el.div(
            rx.el.h1(P.username, class_name="profile-username"),
            rx.cond(P.about_me != "", rx.el.p(P.about_me, class_name="about-me"), rx.fragment()),
            rx.el.p(
                t("Last seen on"),
                " ",
                local_time(P.last_seen),
                " (",
                relative_time(P.last_seen),
                ")",
                class_name="profile-meta last-seen",
            ),
            rx.el.p(
                rx.el.span(
                    rx.el.strong(ProfileState.followers_count, class_name="followers-count"),
                    " ",
                    t_plural("follower", "followers", ProfileState.followers_count),
                ),
                rx.el.span(
                    rx.el.strong(ProfileState.following_count, class_name="following-count"),
                    " ",
                    t("following"),
                ),
                class_name="profile-counts",
            ),
            profile_actions(),
            rx.cond(ProfileState.is_self, export_notice(), rx.fragment()),
            rx.cond(
                ProfileState.follow_error != "",
                rx.text(ProfileState.follow_error, color_scheme="red", size="2", role="alert"),
                rx.fragment(),
            ),
            class_name="profile-details",
        ),
        class_name="profile-card",
    )


def tab_link(label: str | rx.Var, tab: str) -> rx.Component:
    return ReactRouterLink.create(
        label,
        to="/user/" + P.username + f"?tab={tab}",
        class_name=rx.cond(ProfileState.tab == tab, button_class("solid"), button_class("ghost"))
        + " "
        + PROFILE_TAB,
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


def profile_page() -> rx.Component:
    return layout(
        rx.cond(
            ProfileState.loaded_here(),
            rx.cond(
                ProfileState.not_found,
                not_found_content(t("There is no user with that name.")),
                rx.el.div(
                    profile_card(),
                    rx.el.nav(
                        tab_link(t("Posts"), "posts"),
                        tab_link(t("Followers"), "followers"),
                        tab_link(t("Following"), "following"),
                        class_name="profile-tabs",
                        aria_label=t("Profile sections"),
                    ),
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
            feed_first_paint(),
        )
    )
