"""Home: the "Say something" form and the home feed (own + followed posts)."""

from __future__ import annotations

import reflex as rx

from microblog.components.layout import layout, loading
from microblog.components.pager import pager
from microblog.components.post_card import post_list
from microblog.state.feed import FeedState
from microblog.state.session import SessionState


def post_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(
                "Say something", html_for="field-body", class_name="field-label", font_weight="bold"
            ),
            rx.text_area(
                id="field-body",
                name="body",
                value=FeedState.draft,
                on_change=FeedState.set_draft,
                placeholder="What's happening?",
                rows="3",
                width="100%",
            ),
            rx.hstack(
                rx.text(
                    FeedState.chars_left,
                    " characters left",
                    size="2",
                    color_scheme=rx.cond(FeedState.chars_left < 0, "red", "gray"),
                    class_name="chars-left",
                ),
                rx.button("Post", type="submit", disabled=FeedState.chars_left < 0),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.cond(
                FeedState.post_error != "",
                rx.text(FeedState.post_error, color_scheme="red", size="2", role="alert"),
                rx.fragment(),
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=FeedState.submit_post,
        reset_on_submit=False,
        width="100%",
    )


def index_page() -> rx.Component:
    return layout(
        rx.cond(
            SessionState.is_authenticated & FeedState.loaded,
            rx.vstack(
                rx.heading("Hi, ", SessionState.user_name, "!", size="6"),
                rx.card(post_form(), width="100%"),
                post_list(
                    FeedState.posts,
                    "Nothing here yet. Post something, or follow people from Explore.",
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
