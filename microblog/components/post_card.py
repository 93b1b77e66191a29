"""One post in a feed."""

from __future__ import annotations

import reflex as rx

from microblog.components.timestamps import relative_time
from microblog.components.user_popup import user_popup


def user_link(username: rx.Var, *children: rx.Component | rx.Var) -> rx.Component:
    return rx.link(*(children or (username,)), href="/user/" + username, class_name="user-link")


def avatar_link(username: rx.Var, avatar: rx.Var) -> rx.Component:
    """A user's avatar linking to their profile, with the user card on hover."""
    picture = rx.avatar(src=avatar, fallback=username[0:1].upper(), size="3", radius="full")
    return user_popup(username, user_link(username, picture))


def name_link(username: rx.Var) -> rx.Component:
    """A user's name in bold linking to their profile, with the user card on hover."""
    return user_popup(username, user_link(username, rx.text(username, weight="bold")))


def post_card(post: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            avatar_link(post.author_username, post.author_avatar),
            rx.vstack(
                rx.hstack(
                    name_link(post.author_username),
                    rx.text("said", color_scheme="gray", size="2"),
                    rx.text(relative_time(post.timestamp), color_scheme="gray", size="2"),
                    spacing="2",
                    align="baseline",
                    wrap="wrap",
                ),
                rx.text(post.body, class_name="post-body", white_space="pre-wrap"),
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


def post_list(posts: rx.Var, empty_text: str) -> rx.Component:
    return rx.cond(
        posts.length() > 0,
        rx.vstack(rx.foreach(posts, post_card), spacing="3", width="100%", class_name="post-list"),
        rx.callout(empty_text, icon="info", color_scheme="gray", width="100%"),
    )
