"""Newer / Older links. They come from `has_prev` / `has_next`, never from a total count."""

from __future__ import annotations

import reflex as rx


def pager(
    has_prev: rx.Var, has_next: rx.Var, newer_href: rx.Var, older_href: rx.Var, noun: str = "posts"
) -> rx.Component:
    return rx.hstack(
        rx.cond(
            has_prev,
            rx.link(
                rx.button(rx.icon("arrow-left"), f"Newer {noun}", variant="soft"), href=newer_href
            ),
            rx.box(),
        ),
        rx.cond(
            has_next,
            rx.link(
                rx.button(f"Older {noun}", rx.icon("arrow-right"), variant="soft"), href=older_href
            ),
            rx.box(),
        ),
        justify="between",
        width="100%",
        class_name="pager",
    )
