"""Home: the "Say something" form and the home feed (own + followed posts)."""

from __future__ import annotations

import reflex as rx

from microblog.components.compose_form import compose_form
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.components.new_posts_bar import new_posts_bar
from microblog.components.pager import pager
from microblog.components.post_card import post_list
from microblog.state.feed import FeedState
from microblog.state.session import SessionState


def post_form() -> rx.Component:
    return compose_form(
        label=t("Say something"),
        name="body",
        value=FeedState.draft,
        on_change=FeedState.set_draft,
        chars_left=FeedState.chars_left,
        error=FeedState.post_error,
        submit_label=t("Post"),
        on_submit=FeedState.submit_post,
        placeholder=t("What's happening?"),
    )


def index_page() -> rx.Component:
    return layout(
        rx.cond(
            SessionState.is_authenticated & FeedState.loaded_here(),
            rx.vstack(
                rx.heading(t("Hi, %(username)s!", username=SessionState.user_name), size="6"),
                rx.card(post_form(), width="100%"),
                new_posts_bar(),
                post_list(
                    FeedState.posts,
                    t("Nothing here yet. Post something, or follow people from Explore."),
                    on_delete=FeedState.delete_post,
                ),
                pager(
                    FeedState.has_prev,
                    FeedState.has_next,
                    FeedState.newer_href,
                    FeedState.older_href,
                ),
                spacing="4",
                width="100%",
            ),
            loading(),
        )
    )
