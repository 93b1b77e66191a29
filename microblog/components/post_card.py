"""One post in a feed, and the people in lists: the live page's rendering of
microblog/widgets/post_card.py, with the parts only it has (the user card, Delete, Translate)."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex.event import EventType

from microblog.components import RowVar
from microblog.components.i18n import t
from microblog.components.post_translation import post_text, translate_link
from microblog.components.user_popup import user_popup
from microblog.components.widget import ComponentRenderer, SlotFill, fields_of
from microblog.state.session import SessionState
from microblog.widgets import post_card as widgets
from microblog.widgets.post_card import POST_CARD, POST_LIST_CLASS
from microblog.widgets.tree import Field


def avatar_link(username: rx.Var, avatar: rx.Var) -> rx.Component:
    """A user's avatar linking to their profile (microblog/widgets/post_card.py)."""
    person = ComponentRenderer(lambda name: {"username": username, "avatar": avatar}[name])
    return person.node(widgets.avatar_link(Field("username"), Field("avatar")))


def name_link(username: rx.Var) -> rx.Component:
    """A user's name linking to their profile, with the user card on hover."""
    person = ComponentRenderer(
        lambda _name: username, slots={"author": lambda name: user_popup(username, name[0])}
    )
    return person.node(widgets.name_link(Field("username")))


def person_summary(username: rx.Var, avatar: rx.Var, about_me: rx.Var) -> rx.Component:
    """A person in a list (search results, followers, following): avatar, name with the user
    card, and their "about me" when they wrote one."""
    return rx.hstack(
        avatar_link(username, avatar),
        rx.vstack(
            name_link(username),
            rx.cond(
                about_me != "", rx.text(about_me, size="2", color_scheme="gray"), rx.fragment()
            ),
            spacing="1",
        ),
        spacing="3",
        align="center",
    )


def delete_button(post: RowVar, on_delete: Callable[[rx.Var], EventType]) -> rx.Component:
    """A Delete button on the reader's own posts only (the service checks the author again)."""
    return rx.cond(
        SessionState.is_authenticated & (post.author_id == SessionState.user_id),
        rx.button(
            t("Delete"),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=on_delete(post.id),
            aria_label=t("Delete this post"),
            class_name="delete-post",
        ),
        rx.fragment(),
    )


def post_card(
    post: RowVar,
    body: rx.Component | None = None,
    on_delete: Callable[[rx.Var], EventType] | None = None,
) -> rx.Component:
    """One post (microblog/widgets/post_card.py, which the server draws too). `body` replaces
    the text (search highlights); with `on_delete`, the reader's own posts get a Delete button."""
    slots: dict[str, SlotFill] = {
        "author": lambda name: user_popup(post.author_username, name[0]),
        "body": lambda _text: body if body is not None else post_text(post),
        "after_body": lambda _nothing: translate_link(post),
    }
    if on_delete is not None:
        slots["actions"] = lambda _nothing: delete_button(post, on_delete)
    return ComponentRenderer(fields_of(post), slots=slots).node(POST_CARD)


def post_list(
    posts: rx.vars.ArrayVar,
    empty_text: str | rx.Var,
    on_delete: Callable[[rx.Var], EventType] | None = None,
) -> rx.Component:
    return rx.cond(
        posts.length() > 0,
        rx.el.div(
            rx.foreach(posts, lambda post: post_card(post, on_delete=on_delete)),
            class_name=POST_LIST_CLASS,
        ),
        rx.callout(empty_text, icon="info", color_scheme="gray", width="100%"),
    )
