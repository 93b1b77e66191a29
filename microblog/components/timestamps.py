"""Times: stored in UTC, shown relative ("3 minutes ago") with the reader's local time on hover."""

from __future__ import annotations

import reflex as rx


def local_time_title(iso: rx.Var) -> rx.Var:
    """A JS expression formatting the UTC timestamp in the browser's own time zone."""
    return rx.Var(
        f"new Date({iso}).toLocaleString()",
        _var_type=str,
        _var_data=iso._get_all_var_data(),
    )


def relative_time(iso: rx.Var) -> rx.Component:
    return rx.el.time(
        rx.moment(iso, from_now=True),
        date_time=iso,
        title=local_time_title(iso),
        class_name="relative-time",
    )


def local_time(iso: rx.Var) -> rx.Component:
    """The full date and time in the reader's time zone, e.g. for "last seen"."""
    return rx.el.time(rx.moment(iso, format="LLL"), date_time=iso)
