"""Newer / Older links under a list: the widget (widgets/pager.py) from the page's state."""

from __future__ import annotations

import reflex as rx

from microblog.components.widget import ComponentRenderer
from microblog.widgets.pager import pager as pager_widget


def pager(
    has_prev: rx.Var, has_next: rx.Var, newer_href: rx.Var, older_href: rx.Var, noun: str = "posts"
) -> rx.Component:
    fields = {
        "has_prev": has_prev,
        "has_next": has_next,
        "newer_href": newer_href,
        "older_href": older_href,
    }
    return ComponentRenderer(fields.__getitem__).node(pager_widget(noun))
