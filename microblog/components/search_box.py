"""The navbar's search box: a GET-style form whose Enter key goes to /search?q=…"""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import t
from microblog.state.search import SearchState


def search_box() -> rx.Component:
    return rx.form(
        rx.input(
            name="q",
            placeholder=t("Search"),
            aria_label=t("Search"),
            type="search",
            max_length=200,
            size="2",
            width="10rem",
        ),
        on_submit=SearchState.submit,
        reset_on_submit=False,
        role="search",
    )
