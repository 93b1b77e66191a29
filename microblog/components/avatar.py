"""A person's picture over their initial, as every page draws a user (widgets/tree.py
`Avatar`): for the places that draw one from values of their own rather than from a widget (the
Messages pages, the user card, Edit profile's avatar field)."""

from __future__ import annotations

import reflex as rx

from microblog.components.widget import ComponentRenderer
from microblog.widgets.tree import Avatar, Field


def person_avatar(
    username: rx.Var, avatar: rx.Var, *, from_state: bool = False, cls: str = "post-avatar"
) -> rx.Component:
    """Hidden from screen readers: the name beside it says who. `from_state`: the values are
    page state vars rather than a list row's fields."""
    person = ComponentRenderer(lambda name: {"username": username, "avatar": avatar}[name])
    node = Avatar(
        Field("username"),
        Field("avatar"),
        cls,
        attrs={"aria-hidden": "true"},
        picture_in_style=from_state,
    )
    return person.node(node)
