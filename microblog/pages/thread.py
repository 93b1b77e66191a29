"""A post's thread: the posts it answers (oldest first), the post itself, a reply box (opened
on request), and its replies (oldest first, a page at a time)."""

from __future__ import annotations

import reflex as rx

from microblog.components.compose_form import compose_form
from microblog.components.compose_media import add_button, attachments, drop_zone
from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.components.pager import pager
from microblog.components.post_card import post_card, post_list
from microblog.components.widget import ComponentRenderer, fields_of
from microblog.pages.not_found import not_found_content
from microblog.state.compose_media import ReplyMediaState
from microblog.state.session import SessionState
from microblog.state.thread import ThreadState as T
from microblog.widgets.empty_note import NO_REPLIES
from microblog.widgets.post_card import POST_LIST_CLASS
from microblog.widgets.thread import REPLIES_HEADING, REPLY_OPENER, THREAD_CUT


def reply_box() -> rx.Component:
    """The reply, with up to four pictures (dropped on the box, pasted, or added), once the
    reader opens it (widgets/thread.py's opener, which the server draws too)."""
    opener = _parts().node(REPLY_OPENER)
    return rx.cond(
        SessionState.is_authenticated & T.reply_open,
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
                    autofocus=True,
                ),
            ),
            width="100%",
        ),
        opener,
    )


def _parts() -> ComponentRenderer:
    """The thread's own parts (widgets/thread.py) from the tab's state."""
    return ComponentRenderer(
        fields_of(T, signed_in=SessionState.is_authenticated),
        actions={"open_reply": T.open_reply},
    )


def conversation() -> rx.Component:
    parts = _parts()
    return rx.vstack(
        parts.node(THREAD_CUT),
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
        parts.node(REPLIES_HEADING),
        rx.el.div(
            post_list(T.replies, NO_REPLIES, owner=T, thread=True),
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
