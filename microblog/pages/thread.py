"""A post's thread: the posts it answers (oldest first), the post itself, a reply box, and its
replies (oldest first, a page at a time)."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.compose_form import compose_form
from microblog.components.compose_media import add_button, attachments, drop_zone
from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.components.pager import pager
from microblog.components.post_card import post_card, post_list
from microblog.pages.not_found import not_found_content
from microblog.state.compose_media import ReplyMediaState
from microblog.state.session import SessionState
from microblog.state.thread import ThreadState as T
from microblog.widgets.post_card import POST_LIST_CLASS


def reply_box() -> rx.Component:
    """The reply, with up to four pictures (dropped on the box, pasted, or added)."""
    return rx.cond(
        SessionState.is_authenticated,
        rx.card(
            drop_zone(
                ReplyMediaState,
                compose_form(
                    label=t("Reply"),
                    name="reply",
                    value=T.draft,
                    on_change=T.set_draft,
                    chars_left=T.chars_left,
                    error=T.reply_error,
                    submit_label=t("Reply"),
                    on_submit=T.submit_reply,
                    placeholder=t("Write your reply"),
                    attachments=attachments(ReplyMediaState),
                    tools=add_button(ReplyMediaState),
                    busy=ReplyMediaState.uploading,
                ),
            ),
            width="100%",
        ),
        rx.link(t("Log in to reply"), href=routes.LOGIN),
    )


def conversation() -> rx.Component:
    return rx.vstack(
        rx.cond(
            T.earlier_deleted,
            rx.callout(
                t("An earlier post in this conversation was deleted."),
                icon="info",
                color_scheme="gray",
                width="100%",
                class_name="thread-cut",
            ),
            rx.fragment(),
        ),
        rx.cond(
            T.ancestors.length() > 0,
            rx.el.div(
                rx.foreach(T.ancestors, lambda post: post_card(post, T, thread=True)),
                class_name=f"{POST_LIST_CLASS} thread-ancestors",
            ),
            rx.fragment(),
        ),
        rx.el.div(
            rx.foreach(T.focus, lambda post: post_card(post, T, thread=True)),
            class_name="thread-focus",
        ),
        reply_box(),
        rx.heading(t("Replies"), size="4", as_="h2"),
        rx.el.div(
            post_list(T.replies, t("No replies yet."), owner=T, thread=True),
            class_name="thread-replies",
            width="100%",
        ),
        pager(T.has_prev, T.has_next, T.newer_href, T.older_href, noun="replies"),
        spacing="4",
        width="100%",
    )


def thread_page() -> rx.Component:
    return layout(
        rx.heading(t("Conversation"), size="6"),
        feed_first_paint(
            T.loaded_here(),
            rx.cond(
                T.not_found,
                not_found_content(t("This post does not exist or was deleted.")),
                conversation(),
            ),
        ),
        menus=True,
    )
