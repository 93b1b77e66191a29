"""Times: stored in UTC, shown relative ("3 minutes ago") with the reader's local time on hover."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import date_time_text, relative_time_text


def local_time_title(iso: rx.Var) -> rx.Var:
    """The UTC timestamp as a date and time in the browser's own time zone and the reader's
    language (the hover title of a relative time)."""
    return date_time_text(iso)


def relative_time(iso: rx.Var) -> rx.Component:
    """A relative time ("3 minutes ago") in the reader's language. The browser's
    Intl.RelativeTimeFormat does the wording (rx.moment would need every moment locale in the
    bundle to follow a state var)."""
    return rx.el.time(
        relative_time_text(iso),
        date_time=iso,
        title=local_time_title(iso),
        class_name="relative-time",
    )


def local_time(iso: rx.Var) -> rx.Component:
    """The full date and time in the reader's time zone and language, e.g. for "last seen"."""
    return rx.el.time(date_time_text(iso), date_time=iso)
