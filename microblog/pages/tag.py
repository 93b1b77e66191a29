"""A tag's page: the posts carrying it, newest first, with the live "N new posts" bar."""

from __future__ import annotations

import reflex as rx

from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.layout import layout
from microblog.components.new_posts_bar import new_posts_bar
from microblog.components.pager import pager
from microblog.components.post_card import post_list
from microblog.state.tag import TagState
from microblog.widgets.empty_note import NO_POSTS_WITH_TAG


def tag_page() -> rx.Component:
    return layout(
        rx.heading("#", TagState.tag, size="6", class_name="tag-heading"),
        feed_first_paint(
            TagState.loaded_here(),
            rx.vstack(
                new_posts_bar(
                    TagState.new_post_count, TagState.new_posts_count_text, TagState.show_new_posts
                ),
                post_list(TagState.posts, NO_POSTS_WITH_TAG, owner=TagState),
                pager(
                    TagState.has_prev, TagState.has_next, TagState.newer_href, TagState.older_href
                ),
                spacing="4",
                width="100%",
            ),
        ),
        menus=True,
    )
