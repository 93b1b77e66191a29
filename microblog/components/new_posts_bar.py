"""The "N new posts" bar at the top of a feed, pushed live; clicking it shows them."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import t_plural
from microblog.state.feed import FeedState


def new_posts_bar() -> rx.Component:
    return rx.cond(
        FeedState.new_post_count > 0,
        rx.button(
            rx.icon("arrow-up"),
            t_plural(
                "Show %(count)s new post",
                "Show %(count)s new posts",
                FeedState.new_post_count,
                count=FeedState.new_posts_count_text,
            ),
            on_click=FeedState.show_new_posts,
            variant="soft",
            width="100%",
            class_name="new-posts-bar",
            aria_live="polite",
        ),
        rx.fragment(),
    )
