"""The "more" menus (a post card's and a profile's: Report, Mute, Block) and the two dialogs they
open (report with a reason and a comment; block, confirmed). Radix dropdowns: keyboard usable
(arrows, Enter, Escape), labelled for screen readers. The dialogs are drawn once per page
(`safety_dialogs`, in the layout) and opened through SafetyState with the target's id."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.form_field import submit_button
from microblog.components.i18n import t
from microblog.state.safety import MUTE_CHOICES, REPORT_REASONS, SafetyState
from microblog.state.session import SessionState
from microblog.state.thread import ThreadState


def _reason_labels() -> dict[str, rx.Var]:
    """services.safety.REPORT_REASONS in words (literal calls, so the catalogs have them)."""
    return {
        "spam": t("Spam"),
        "abuse": t("Abuse or harassment"),
        "illegal": t("Illegal content"),
        "other": t("Something else"),
    }


def _mute_labels() -> dict[int, rx.Var]:
    return {
        0: t("Until I unmute"),
        3600: t("For 1 hour"),
        86400: t("For 1 day"),
        604800: t("For 7 days"),
    }


def _mute_items(user_id: rx.Var) -> list[rx.Component]:
    labels = _mute_labels()
    return [
        rx.dropdown_menu.item(
            labels[seconds],
            on_select=SafetyState.mute(user_id, seconds),
            class_name=f"menu-mute-{seconds}",
        )
        for seconds in MUTE_CHOICES
    ]


def _mute_sub(user_id: rx.Var) -> rx.Component:
    return rx.dropdown_menu.sub(
        rx.dropdown_menu.sub_trigger(t("Mute"), class_name="menu-mute"),
        rx.dropdown_menu.sub_content(*_mute_items(user_id)),
    )


def post_menu(post: RowVar, trigger: rx.Component, thread: bool = False) -> rx.Component:
    """A post card's menu, for a signed-in reader on someone else's post."""
    items: list[rx.Component] = [
        rx.dropdown_menu.item(
            t("Report post"),
            on_select=SafetyState.open_report(post.id, post.author_id, post.author_username),
            class_name="menu-report",
        ),
        _mute_sub(post.author_id),
        rx.dropdown_menu.item(
            t("Block author"),
            on_select=SafetyState.ask_block(post.author_id, post.author_username),
            color_scheme="red",
            class_name="menu-block",
        ),
    ]
    if thread:
        items += [
            rx.dropdown_menu.separator(),
            rx.cond(
                ThreadState.conversation_muted,
                rx.dropdown_menu.item(
                    t("Unmute conversation"),
                    on_select=SafetyState.unmute_conversation(post.id),
                    class_name="menu-unmute-conversation",
                ),
                rx.dropdown_menu.item(
                    t("Mute conversation"),
                    on_select=SafetyState.mute_conversation(post.id),
                    class_name="menu-mute-conversation",
                ),
            ),
        ]
    others = SessionState.is_authenticated & (post.author_id != SessionState.user_id)
    return rx.cond(
        others,
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(trigger),
            rx.dropdown_menu.content(*items, align="end"),
            modal=False,
        ),
        rx.fragment(),
    )


def profile_menu(
    trigger: rx.Component,
    user_id: rx.Var,
    username: rx.Var,
    blocked: rx.Var[bool],
    muted: rx.Var[bool],
) -> rx.Component:
    """A profile's menu: Block / Unblock, Mute (for a time) / Unmute, Report account.
    `trigger`: the card's button (microblog/widgets/profile.py MENU_BUTTON)."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(trigger),
        rx.dropdown_menu.content(
            rx.cond(
                muted,
                rx.dropdown_menu.item(
                    t("Unmute"), on_select=SafetyState.unmute(user_id), class_name="menu-unmute"
                ),
                _mute_sub(user_id),
            ),
            rx.cond(
                blocked,
                rx.dropdown_menu.item(
                    t("Unblock"), on_select=SafetyState.unblock(user_id), class_name="menu-unblock"
                ),
                rx.dropdown_menu.item(
                    t("Block"),
                    on_select=SafetyState.ask_block(user_id, username),
                    color_scheme="red",
                    class_name="menu-block",
                ),
            ),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                t("Report account"),
                on_select=SafetyState.open_report(0, user_id, username),
                class_name="menu-report",
            ),
            align="end",
        ),
        modal=False,
    )


def _report_form() -> rx.Component:
    labels = _reason_labels()
    return rx.form(
        rx.vstack(
            rx.el.fieldset(
                rx.el.legend(t("Why are you reporting this?"), class_name="field-label"),
                rx.radio_group.root(
                    *[
                        rx.el.label(
                            rx.radio_group.item(value=reason, id=f"report-reason-{reason}"),
                            labels[reason],
                            html_for=f"report-reason-{reason}",
                            class_name="report-reason",
                        )
                        for reason in REPORT_REASONS
                    ],
                    name="reason",
                    default_value="spam",
                    direction="column",
                ),
                class_name="report-reasons",
            ),
            rx.el.label(
                t("Comment (optional)"), html_for="report-comment", class_name="field-label"
            ),
            rx.text_area(id="report-comment", name="comment", rows="3", width="100%"),
            rx.cond(
                SafetyState.report_error != "",
                rx.text(SafetyState.report_error, color_scheme="red", role="alert"),
                rx.fragment(),
            ),
            rx.flex(
                rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                submit_button(t("Send report"), class_name="send-report"),
                gap="3",
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=SafetyState.submit_report,
        reset_on_submit=True,
    )


def report_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    SafetyState.report_post_id != 0,
                    t("Report a post by %(username)s", username=SafetyState.report_username),
                    t("Report %(username)s", username=SafetyState.report_username),
                )
            ),
            rx.cond(
                SafetyState.report_sent,
                rx.vstack(
                    rx.text(
                        t(
                            "Thank you. Your report was sent to the moderators; "
                            "you will be notified of the outcome."
                        ),
                        role="status",
                        class_name="report-sent",
                    ),
                    rx.flex(
                        rx.dialog.close(rx.button(t("Close"), variant="soft")),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                _report_form(),
            ),
            aria_describedby=None,
            max_width="30rem",
        ),
        open=SafetyState.report_open,
        on_open_change=SafetyState.set_report_open,
    )


def block_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Block %(username)s?", username=SafetyState.block_username)),
            rx.alert_dialog.description(
                t(
                    "You will not see each other's posts, and they cannot follow you, message "
                    "you, reply to you or mention you. They are not told."
                )
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        t("Block"),
                        color_scheme="red",
                        high_contrast=True,
                        on_click=SafetyState.confirm_block,
                        class_name="confirm-block",
                    )
                ),
                gap="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
        open=SafetyState.block_open,
        on_open_change=SafetyState.set_block_open,
    )


def safety_dialogs() -> rx.Component:
    """Both dialogs, once per page (components/layout.py)."""
    return rx.fragment(report_dialog(), block_dialog())
