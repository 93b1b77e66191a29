"""The frame every page shares."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import t
from microblog.components.language_switcher import language_sync
from microblog.components.live import announcement_banner
from microblog.components.navbar import MAIN_ID, navbar
from microblog.components.safety import safety_dialogs
from microblog.components.task_progress import task_progress


def layout(*children: rx.Component, menus: bool = False) -> rx.Component:
    """The page frame. `menus`: the page shows post cards or a profile, whose "more" menus open
    the report and block dialogs (components/safety.py); only those pages load them."""
    return rx.box(
        navbar(),  # its first element is the skip link
        language_sync(),
        safety_dialogs() if menus else rx.fragment(),
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
            # The skip link's target: focusable from script only (assets/nav_menu.js).
            id=MAIN_ID,
            tab_index=-1,
            class_name="page-main",
        ),
        min_height="100vh",
    )


def loading() -> rx.Component:
    """What a page shows until its data arrives over the websocket. In a browser with scripts
    off nothing will arrive, so there the spinner gives way to saying why (assets/microblog.css,
    `scripting: none`)."""
    return rx.center(
        rx.spinner(size="3", class_name="page-loading-spinner"),
        rx.text(
            t("This page needs JavaScript. Turn it on in your browser, then reload the page."),
            class_name="page-needs-script",
        ),
        padding="2rem",
        width="100%",
        class_name="page-loading",
    )
