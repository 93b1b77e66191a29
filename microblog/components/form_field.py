"""A labelled form field with its error beside it, and a form's submit button."""

from __future__ import annotations

import reflex as rx


def field_error(message: rx.Var, field_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, color_scheme="red", size="2", id=f"{field_id}-error", role="alert"),
        rx.fragment(),
    )


def form_field(
    label: str | rx.Var,
    name: str,
    error: rx.Var | None = None,
    *,
    type: str = "text",
    **input_props: object,
) -> rx.Component:
    field_id = f"field-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=field_id, class_name="field-label"),
        rx.input(id=field_id, name=name, type=type, width="100%", **input_props),
        field_error(error, field_id) if error is not None else rx.fragment(),
        spacing="1",
        width="100%",
        align="stretch",
    )


def submit_button(
    label: str | rx.Var, *, waiting: rx.Var[bool] | None = None, **props: object
) -> rx.Component:
    """A form's submit button, disabled until the page is live. The pages are drawn before
    their scripts run (web/scripts_after_paint.py); pressed then, or Enter pressed in a field,
    the browser would submit the form itself, to the page's own address with every field in
    it (a password included), instead of the form's event. A form whose submit button is
    disabled is not submitted by Enter either."""
    return rx.button(label, type="submit", disabled=~rx.State.is_hydrated, **props)
