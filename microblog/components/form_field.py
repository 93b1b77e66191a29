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


def check_field(
    label: str | rx.Var,
    name: str,
    *,
    default_checked: bool | rx.Var[bool] = False,
    disabled: bool | rx.Var[bool] = False,
) -> rx.Component:
    """A checkbox and its label: the browser's own box, in the accent colour (`.check-field` in
    assets/microblog.css), which costs little to draw or to mount. It submits "on" when ticked
    and nothing when not, with or without the page's scripts. React reads `default_checked`
    only when the box is mounted, so the box is keyed by it: when the value arrives after the
    page is drawn (Edit profile), the box alone is mounted again with it."""
    field_id = f"field-{name}"
    key = default_checked.to_string() if isinstance(default_checked, rx.Var) else None
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            id=field_id,
            name=name,
            default_checked=default_checked,
            disabled=disabled,
            key=key,
        ),
        label,
        html_for=field_id,
        class_name="check-field",
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
