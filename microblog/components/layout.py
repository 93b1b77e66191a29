"""The frame every page shares."""

from __future__ import annotations

import reflex as rx

from microblog.components.live import announcement_banner
from microblog.components.navbar import navbar
from microblog.components.task_progress import task_progress


def layout(*children: rx.Component) -> rx.Component:
    return rx.box(
        navbar(),
        # rx.el.main, not rx.box(as_="main"), which draws a <div>: the page's content is in
        # its main landmark, where screen readers jump to it (axe: landmark-one-main, region).
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
            box_sizing="border-box",
        ),
        min_height="100vh",
    )


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="2rem", width="100%", class_name="page-loading")
