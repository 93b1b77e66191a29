"""One post in a feed."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex_components_core.react_router.dom import ReactRouterLink

from microblog.components.i18n import t
from microblog.components.post_translation import post_text, translate_link
from microblog.components.timestamps import relative_time
from microblog.components.user_popup import user_popup
from microblog.state.session import SessionState


def profile_link(
    username: rx.Var, *children: rx.Component | rx.Var, **props: object
) -> rx.Component:
    """A client-side link to a profile: React Router's own link, without a Radix Themes wrapper
    (see assets/microblog.css for why the parts of a post are plain elements)."""
    return ReactRouterLink.create(*(children or (username,)), to="/user/" + username, **props)


def avatar_picture(username: rx.Var, avatar: rx.Var) -> rx.Component:
    """The picture as a CSS background over the user's initial: the initial shows until the
    image has loaded and stays if it never does (offline, blocked), with no script per picture
    (Radix's avatar loads each image a second time from a hook on every mount)."""
    return rx.el.span(
        username[0:1].upper(),
        class_name="post-avatar",
        # A custom property in a plain React style (not Reflex's emotion `style`, which would
        # hash a stylesheet rule per picture). Gravatar URLs are built by us from a hash.
        custom_attrs={"style": {"--avatar": 'url("' + avatar + '")'}},
    )


def large_avatar(username: rx.Var, avatar: rx.Var) -> rx.Component:
    """The profile's avatar, drawn as `avatar_picture` draws a post's. Its values are state vars,
    not a list row's, so the picture goes through `style`: a plain attribute would not make the
    page subscribe to the state that holds them. Decorative: the name is the heading beside it."""
    return rx.el.span(
        username[0:1].upper(),
        class_name="post-avatar profile-avatar",
        style={"--avatar": 'url("' + avatar + '")'},
        aria_hidden="true",
    )


def avatar_link(username: rx.Var, avatar: rx.Var) -> rx.Component:
    """A user's avatar linking to their profile. The name beside it is the same link and
    carries the user card, so this one is hidden from screen readers and the tab order
    (one link per person, not two)."""
    return profile_link(
        username,
        avatar_picture(username, avatar),
        class_name="post-avatar-link",
        aria_hidden="true",
        tab_index=-1,
    )


def name_link(username: rx.Var) -> rx.Component:
    """A user's name in bold linking to their profile, with the user card on hover."""
    return user_popup(username, profile_link(username, class_name="post-author user-link"))


def person_summary(username: rx.Var, avatar: rx.Var, about_me: rx.Var) -> rx.Component:
    """A person in a list (search results, followers, following): avatar, name with the user
    card, and their "about me" when they wrote one."""
    return rx.hstack(
        avatar_link(username, avatar),
        rx.vstack(
            name_link(username),
            rx.cond(
                about_me != "", rx.text(about_me, size="2", color_scheme="gray"), rx.fragment()
            ),
            spacing="1",
        ),
        spacing="3",
        align="center",
    )


def delete_button(post: rx.Var, on_delete: Callable[[rx.Var], rx.event.EventType]) -> rx.Component:
    """A Delete button on the reader's own posts only (the service checks the author again)."""
    return rx.cond(
        SessionState.is_authenticated & (post.author_id == SessionState.user_id),
        rx.button(
            t("Delete"),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=on_delete(post.id),
            aria_label=t("Delete this post"),
            class_name="delete-post",
        ),
        rx.fragment(),
    )


def post_card(
    post: rx.Var,
    body: rx.Component | None = None,
    on_delete: Callable[[rx.Var], rx.event.EventType] | None = None,
) -> rx.Component:
    """One post. `body` replaces the plain text (search highlights); with `on_delete`, the
    reader's own posts get a Delete button."""
    return rx.el.article(
        avatar_link(post.author_username, post.author_avatar),
        rx.el.div(
            rx.el.div(
                name_link(post.author_username),
                rx.el.span(t("said"), class_name="post-meta"),
                rx.el.span(relative_time(post.timestamp), class_name="post-meta"),
                delete_button(post, on_delete) if on_delete else rx.fragment(),
                class_name="post-header",
            ),
            body if body is not None else post_text(post),
            translate_link(post),
            class_name="post-main",
        ),
        class_name="post",
        data_post_id=post.id,
    )


def post_list(
    posts: rx.Var,
    empty_text: str | rx.Var,
    on_delete: Callable[[rx.Var], rx.event.EventType] | None = None,
) -> rx.Component:
    return rx.cond(
        posts.length() > 0,
        rx.el.div(
            rx.foreach(posts, lambda post: post_card(post, on_delete=on_delete)),
            class_name="post-list",
        ),
        rx.callout(empty_text, icon="info", color_scheme="gray", width="100%"),
    )
