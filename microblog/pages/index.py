"""Home: the "Say something" form and the home feed (own + followed posts)."""

from __future__ import annotations

import reflex as rx

from microblog.components.compose_form import compose_form
from microblog.components.compose_media import add_button, attachments, drop_zone
from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.components.new_posts_bar import new_posts_bar
from microblog.components.pager import pager
from microblog.components.post_card import post_list
from microblog.state.compose_media import ComposeMediaState
from microblog.state.feed import FeedState
from microblog.state.session import SessionState
from microblog.widgets.empty_note import NO_POSTS_AT_HOME


def post_form(ready: rx.Var[bool]) -> rx.Component:
    """ "Say something", with up to four pictures (dropped on the box, pasted, or added)."""
    return drop_zone(
        ComposeMediaState,
        compose_form(
            label=t("Say something"),
            name="body",
            value=FeedState.draft,
            on_change=FeedState.set_draft,
            chars_left=FeedState.chars_left,
            error=FeedState.post_error,
            submit_label=t("Post"),
            on_submit=FeedState.submit_post,
            placeholder=t("What's happening?"),
            ready=ready,
            attachments=attachments(ComposeMediaState),
            tools=add_button(ComposeMediaState),
            busy=ComposeMediaState.uploading,
        ),
    )


def greeting() -> rx.Component:
    """ "Hi, <name>!" once the reader is known; until then an empty heading of the same height,
    so the form and the posts the server drew (components/feed_first_paint.py) stay where they
    are when the page goes live."""
    return rx.heading(
        rx.cond(
            SessionState.user_name != "",
            t("Hi, %(username)s!", username=SessionState.user_name),
            "\u00a0",
        ),
        size="6",
    )


def index_page() -> rx.Component:
    # The greeting and the form are in the prerendered page too, so that the page keeps its
    # shape from the first paint on.
    ready = SessionState.is_authenticated & FeedState.loaded_here()
    return layout(
        greeting(),
        rx.card(post_form(ready), width="100%"),
        feed_first_paint(
            ready,
            rx.vstack(
                new_posts_bar(),
                post_list(
                    FeedState.posts,
                    NO_POSTS_AT_HOME,
                    owner=FeedState,
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
        ),
        menus=True,
    )
