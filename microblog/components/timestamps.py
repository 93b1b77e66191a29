"""Times: stored in UTC, shown relative ("3 minutes ago"), with the reader's full local time in a
tooltip that the keyboard, a tap and the pointer all open."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import relative_time_text, time_tip_handler
from microblog.state.locale import LocaleState


def relative_time(iso: rx.Var) -> rx.Component:
    """A relative time ("3 minutes ago") in the reader's language. It takes the keyboard focus;
    focus, a tap or the pointer shows the date and time in the reader's own time zone in a
    tooltip that describes it for screen readers (a hover title reached neither the keyboard
    nor a touch screen). The wording comes from our catalogs (microblog/i18n/relative_time.py);
    the first paint writes the same element (widgets/html.py)."""
    return rx.el.time(
        relative_time_text(iso),
        date_time=iso,
        class_name="relative-time",
        tab_index=0,
        custom_attrs={
            "onFocus": time_tip_handler("show"),
            "onClick": time_tip_handler("show"),
            "onMouseEnter": time_tip_handler("show"),
            "onBlur": time_tip_handler("hide"),
            "onMouseLeave": time_tip_handler("leave"),
            "onKeyDown": time_tip_handler("key"),
        },
    )


class LocalTime(rx.Component):
    """assets/i18n/local_time.js: the full date and time, built after the page has painted when
    the tab has no date formatter yet (building the first one loads the browser's locale data
    inside React's render)."""

    library = "$/public/i18n/local_time.js"
    tag = "LocalTime"

    iso: rx.Var[str]
    lang: rx.Var[str]


def local_time(iso: rx.Var) -> rx.Component:
    """The full date and time in the reader's time zone and language, e.g. for "last seen"."""
    return LocalTime.create(iso=iso, lang=LocaleState.lang)
