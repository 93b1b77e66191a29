"""The "N new posts" bar at the top of a feed, pushed live; clicking it shows them. Home and
Explore use FeedState's; a tag page passes its own state's count and handler."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType

from microblog.components.i18n import t_plural
from microblog.state.feed import FeedState


def new_posts_bar(
    count: rx.vars.NumberVar | None = None,
    count_text: rx.Var | None = None,
    on_click: EventType[()] = FeedState.show_new_posts,
) -> rx.Component:
    count = FeedState.new_post_count if count is None else count
    text = FeedState.new_posts_count_text if count_text is None else count_text
    return rx.cond(
        count > 0,
        rx.button(
            rx.icon("arrow-up"),
            t_plural(
                "Show %(count)s new post",
                "Show %(count)s new posts",
                count,
                count=text,
            ),
            on_click=on_click,
            variant="soft",
            width="100%",
            class_name="new-posts-bar",
            aria_live="polite",
        ),
        rx.fragment(),
    )
