"""Explore: everyone's posts, newest first."""

from __future__ import annotations

import reflex as rx

from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.components.new_posts_bar import new_posts_bar
from microblog.components.pager import pager
from microblog.components.post_card import post_list
from microblog.state.feed import FeedState
from microblog.widgets.empty_note import NO_POSTS


def explore_page() -> rx.Component:
    return layout(
        rx.heading(t("Explore"), size="6"),
        feed_first_paint(
            FeedState.loaded_here() & (FeedState.kind == "explore"),
            rx.vstack(
                new_posts_bar(),
                post_list(FeedState.posts, NO_POSTS, owner=FeedState),
                pager(
                    FeedState.has_prev,
                    FeedState.has_next,
                    FeedState.newer_href,
                    FeedState.older_href,
                ),
                spacing="4",
                width="100%",
            ),
        ),
        menus=True,
    )
