"""One post in a feed."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from microblog.components.i18n import t
from microblog.components.post_translation import post_text, translate_link
from microblog.components.timestamps import relative_time
from microblog.components.user_popup import user_popup
from microblog.state.session import SessionState


def user_link(username: rx.Var, *children: rx.Component | rx.Var) -> rx.Component:
    return rx.link(*(children or (username,)), href="/user/" + username, class_name="user-link")


def avatar_link(username: rx.Var, avatar: rx.Var) -> rx.Component:
    """A user's avatar linking to their profile, with the user card on hover."""
    picture = rx.avatar(src=avatar, fallback=username[0:1].upper(), size="3", radius="full")
    return user_popup(username, user_link(username, picture))


def name_link(username: rx.Var) -> rx.Component:
    """A user's name in bold linking to their profile, with the user card on hover."""
    return user_popup(username, user_link(username, rx.text(username, weight="bold")))


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
    return rx.card(
        rx.hstack(
            avatar_link(post.author_username, post.author_avatar),
            rx.vstack(
                rx.hstack(
                    name_link(post.author_username),
                    rx.text(t("said"), color_scheme="gray", size="2"),
                    rx.text(relative_time(post.timestamp), color_scheme="gray", size="2"),
                    rx.spacer(),
                    delete_button(post, on_delete) if on_delete else rx.fragment(),
                    spacing="2",
                    align="baseline",
                    wrap="wrap",
                ),
                body if body is not None else post_text(post),
                translate_link(post),
                spacing="1",
                width="100%",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
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
        rx.vstack(
            rx.foreach(posts, lambda post: post_card(post, on_delete=on_delete)),
            spacing="3",
            width="100%",
            class_name="post-list",
        ),
        rx.callout(empty_text, icon="info", color_scheme="gray", width="100%"),
    )
