"""Settings, Privacy and safety: who may message you, and whom you block and mute (with when a
mute ends), each with Undo. Linked from the Edit Profile page."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components import RowVar
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.components.post_card import avatar_link, name_link
from microblog.components.timestamps import local_time
from microblog.state.safety import SafetySettingsState, SafetyState

S = SafetySettingsState


def _policy() -> rx.Component:
    choices = (
        ("everyone", t("Everyone")),
        ("following", t("People I follow")),
        ("nobody", t("Nobody")),
    )
    return rx.el.section(
        rx.heading(t("Who can message you"), size="4", as_="h2", id="policy-heading"),
        rx.radio_group.root(
            *[
                rx.el.label(
                    rx.radio_group.item(value=value, id=f"policy-{value}"),
                    label,
                    html_for=f"policy-{value}",
                    class_name="policy-choice",
                )
                for value, label in choices
            ],
            value=S.message_policy,
            on_change=S.set_policy,
            direction="column",
            aria_labelledby="policy-heading",
            class_name="message-policy",
        ),
        rx.cond(
            S.policy_saved,
            rx.text(t("Saved."), size="2", color_scheme="green", role="status"),
            rx.fragment(),
        ),
        class_name="settings-section",
    )


def _person(row: RowVar, detail: rx.Component, undo: rx.Component) -> rx.Component:
    return rx.el.li(
        avatar_link(row.username, row.avatar_small),
        rx.vstack(name_link(row.username), detail, spacing="1"),
        undo,
        class_name="safety-row",
    )


def _blocked(row: RowVar) -> rx.Component:
    return _person(
        row,
        rx.text(t("Blocked since"), " ", local_time(row.since), size="2", color_scheme="gray"),
        rx.el.button(
            t("Unblock"),
            type="button",
            class_name="post-own-action undo-block",
            aria_label=t("Unblock %(username)s", username=row.username),
            on_click=SafetyState.unblock(row.id),
        ),
    )


def _muted(row: RowVar) -> rx.Component:
    return _person(
        row,
        rx.text(
            rx.cond(
                row.expires_at != "",
                rx.fragment(t("Muted until"), " ", local_time(row.expires_at)),
                t("Muted until you unmute"),
            ),
            size="2",
            color_scheme="gray",
            class_name="mute-expiry",
        ),
        rx.el.button(
            t("Unmute"),
            type="button",
            class_name="post-own-action undo-mute",
            aria_label=t("Unmute %(username)s", username=row.username),
            on_click=SafetyState.unmute(row.id),
        ),
    )


def _list(
    heading: rx.Var, rows: rx.vars.ArrayVar, row: object, empty: rx.Var, name: str
) -> rx.Component:
    return rx.el.section(
        rx.heading(heading, size="4", as_="h2"),
        rx.cond(
            rows.length() > 0,
            rx.el.ul(rx.foreach(rows, row), class_name=f"safety-list {name}"),
            rx.text(empty, size="2", color_scheme="gray", class_name=f"{name}-empty"),
        ),
        class_name="settings-section",
    )


def safety_settings_page() -> rx.Component:
    return layout(
        rx.heading(t("Privacy and safety"), size="6"),
        rx.link(t("Back to Edit Profile"), href=routes.EDIT_PROFILE, size="2"),
        rx.cond(
            S.loaded_here(),
            rx.card(
                rx.vstack(
                    _policy(),
                    rx.separator(size="4"),
                    _list(
                        t("People you block"),
                        S.blocks,
                        _blocked,
                        t("You block nobody."),
                        "blocked-list",
                    ),
                    rx.separator(size="4"),
                    _list(
                        t("People you mute"), S.mutes, _muted, t("You mute nobody."), "muted-list"
                    ),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
            ),
            loading(),
        ),
    )
