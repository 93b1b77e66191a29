"""The one "write something short" form: a labelled text area, a live character counter, a
submit button, and the error beside it. Posts, private messages and announcements use it."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType

from microblog.components.i18n import t_plural


def compose_form(
    *,
    label: str | rx.Var,
    name: str,
    value: rx.Var,
    on_change: EventType,
    chars_left: rx.vars.NumberVar,
    error: rx.Var,
    submit_label: str | rx.Var,
    on_submit: EventType,
    placeholder: str | rx.Var = "",
    ready: bool | rx.Var[bool] = True,
    secondary: rx.Component | None = None,
    attachments: rx.Component | None = None,
    tools: rx.Component | None = None,
    busy: rx.Var[bool] | None = None,
    autofocus: bool = False,
) -> rx.Component:
    """`ready`: whether the page's data is there; until then the field and the button are
    disabled, so nothing is typed into a form the page is about to replace. `secondary`: a
    button beside the submit button (Cancel). `attachments` go under the text (the pictures
    of a post), `tools` before the counter (Add pictures); while `busy` (an upload under way)
    the text can still be typed but not sent. `autofocus`: the text area takes the focus when
    the form appears (a form opened on request, the thread's reply box)."""
    field_id = f"field-{name}"
    waiting = ~ready if isinstance(ready, rx.Var) else not ready
    blocked = waiting | busy if busy is not None else waiting
    return rx.form(
        rx.vstack(
            rx.el.label(label, html_for=field_id, class_name="field-label", font_weight="bold"),
            rx.text_area(
                id=field_id,
                name=name,
                value=value,
                on_change=on_change,
                placeholder=placeholder,
                rows="3",
                width="100%",
                disabled=waiting,
                auto_focus=autofocus,
            ),
            *([attachments] if attachments is not None else []),
            rx.hstack(
                rx.hstack(
                    *([tools] if tools is not None else []),
                    rx.text(
                        t_plural("%(num)d character left", "%(num)d characters left", chars_left),
                        size="2",
                        color_scheme=rx.cond(chars_left < 0, "red", "gray"),
                        class_name="chars-left",
                    ),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                rx.hstack(
                    *([secondary] if secondary is not None else []),
                    rx.button(submit_label, type="submit", disabled=(chars_left < 0) | blocked),
                    spacing="2",
                    margin_left="auto",  # on the right, on a line of its own when narrow
                ),
                justify="between",
                align="center",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                error != "",
                rx.text(error, color_scheme="red", size="2", role="alert", id=f"{field_id}-error"),
                rx.fragment(),
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )
