"""The export bar under the navbar: progress with a percentage while the user's export runs, then
a download link, or the failure with a Retry button. Shown by the layout on every page."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import t, t_stored
from microblog.state.export import ExportState as E
from microblog.widgets.radix import button_class


def _dismiss() -> rx.Component:
    return rx.icon_button(
        rx.icon("x"), size="1", variant="ghost", aria_label=t("Hide"), on_click=E.dismiss
    )


def _bar(label: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(label, weight="medium"),
            rx.spacer(),
            rx.text(E.progress.to_string() + " %", class_name="export-percent", size="2"),
            width="100%",
        ),
        rx.progress(
            value=E.progress,
            max=100,
            width="100%",
            aria_label=t("Export progress"),
            class_name="export-progress",
        ),
        spacing="1",
        width="100%",
    )


def _done() -> rx.Component:
    return rx.vstack(
        _bar(t("Export finished")),
        rx.hstack(
            rx.icon("circle-check", color="var(--grass-11)"),
            rx.text(
                rx.cond(
                    E.message != "",
                    t_stored(E.message),
                    t("Your posts are exported and emailed to you."),
                ),
                size="2",
                class_name="export-message",
            ),
            rx.spacer(),
            rx.el.a(
                rx.button(rx.icon("download"), t("Download"), size="1"),
                href=E.download_href,
                class_name="export-download",
            ),
            _dismiss(),
            align="center",
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _failed() -> rx.Component:
    return rx.hstack(
        rx.icon("circle-alert", color="var(--red-11)"),
        rx.text(
            t("Export failed: %(reason)s", reason=t_stored(E.message)),
            size="2",
            class_name="export-error",
        ),
        rx.spacer(),
        rx.button(t("Retry"), size="1", on_click=E.retry),
        _dismiss(),
        align="center",
        width="100%",
    )


def task_progress() -> rx.Component:
    return rx.cond(
        E.show_bar,
        rx.card(
            rx.match(
                E.status,
                ("done", _done()),
                ("failed", _failed()),
                _bar(t("Exporting posts…")),
            ),
            width="100%",
            class_name="export-bar",
            data_status=E.status,
            role="status",
        ),
        rx.fragment(),
    )


def export_actions(export_button: list[rx.Component]) -> rx.Component:
    """For the profile owner, beside "Edit your profile": the export button (drawn from the
    profile's widget, microblog/widgets/profile.py; not disabled while one runs: a second click
    says so, the row decides), and the latest file."""
    return rx.fragment(
        *export_button,
        rx.cond(
            E.download_href != "",
            rx.el.a(
                t("Download your last export"),
                href=E.download_href,
                class_name=button_class("ghost") + " export-download-last",
            ),
            rx.fragment(),
        ),
    )


def export_notice() -> rx.Component:
    """The answer to a click on Export ("already running"), under the profile's buttons."""
    return rx.cond(
        E.notice != "",
        rx.text(E.notice, color_scheme="amber", size="2", role="alert"),
        rx.fragment(),
    )
