"""The frame every page shares."""

from __future__ import annotations

import reflex as rx

from microblog.components.live import announcement_banner
from microblog.components.navbar import navbar
from microblog.components.task_progress import task_progress


def layout(*children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        # The page's <main> landmark (`rx.box(as_="main")` draws a div).
        rx.el.main(
            rx.vstack(
                announcement_banner(),
                task_progress(),
                *children,
                spacing="4",
                width="100%",
                align="stretch",
            ),
            max_width="48rem",
            margin_x="auto",
            padding="1rem",
        ),
        min_height="100vh",
    )


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="2rem", width="100%", class_name="page-loading")
