"""Times: stored in UTC, shown relative ("3 minutes ago") with the reader's local time on hover."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import date_time_title_handler, relative_time_text
from microblog.state.locale import LocaleState


def relative_time(iso: rx.Var) -> rx.Component:
    """A relative time ("3 minutes ago") in the reader's language, with the date and time in
    the reader's own time zone as its hover title (written when the pointer arrives). The
    wording comes from our catalogs (microblog/i18n/relative_time.py)."""
    return rx.el.time(
        relative_time_text(iso),
        date_time=iso,
        class_name="relative-time",
        custom_attrs={"onMouseEnter": date_time_title_handler()},
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
