"""Moderation: the queue of open reports (live), the report under review in context with the
actions and their undo, the audit log, and (administrators) who the moderators are. Only
moderators see any of it; the handlers check the role again (state/moderation.py)."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.form_field import submit_button
from microblog.components.i18n import t
from microblog.components.layout import layout, loading
from microblog.components.post_card import avatar_link, name_link, post_card
from microblog.components.timestamps import local_time, relative_time
from microblog.state.moderation import ModerationState as M


def reason_label(reason: rx.Var) -> rx.Component:
    return rx.match(
        reason,
        ("spam", t("Spam")),
        ("abuse", t("Abuse")),
        ("illegal", t("Illegal content")),
        t("Other"),
    )


def action_label(action: rx.Var) -> rx.Component:
    """What a line of the audit log says was done (and a resolved report's outcome)."""
    return rx.match(
        action,
        ("dismiss", t("Dismissed the report")),
        ("reopen", t("Reopened the report")),
        ("hide", t("Hid the post")),
        ("unhide", t("Unhid the post")),
        ("limit", t("Limited the account")),
        ("unlimit", t("Lifted the limit")),
        ("suspend", t("Suspended the account")),
        ("unsuspend", t("Lifted the suspension")),
        ("grant_moderator", t("Made a moderator")),
        ("revoke_moderator", t("Revoked the moderator role")),
        action,
    )


def _status(report: RowVar) -> rx.Component:
    return rx.cond(
        report.status == "open",
        rx.badge(t("Open"), color_scheme="amber", high_contrast=True),
        rx.badge(action_label(report.outcome), color_scheme="gray", high_contrast=True),
    )


def queue_item(report: RowVar) -> rx.Component:
    selected = M.selected_id == report.id
    return rx.el.li(
        rx.el.button(
            rx.el.span(
                rx.el.strong(report.target),
                rx.el.span(" · "),
                reason_label(report.reason),
                class_name="report-line-title",
            ),
            rx.el.span(
                rx.cond(report.post_id, t("A post"), t("The account")),
                rx.el.span(" · "),
                t("reported by %(username)s", username=report.reporter),
                rx.el.span(" · "),
                relative_time(report.created),
                class_name="report-line-meta",
            ),
            type="button",
            class_name=rx.cond(selected, "report-line selected", "report-line"),
            aria_pressed=rx.cond(selected, "true", "false"),
            on_click=M.select_report(report.id),
        ),
        data_report_id=report.id,
    )


def _fact(label: rx.Component | rx.Var | str, value: rx.Component) -> rx.Component:
    return rx.el.div(rx.el.dt(label), rx.el.dd(value), class_name="report-fact")


def history_item(report: RowVar) -> rx.Component:
    return rx.el.li(
        local_time(report.created),
        rx.el.span(" · "),
        reason_label(report.reason),
        rx.el.span(" · "),
        t("reported by %(username)s", username=report.reporter),
        rx.el.span(" · "),
        _status(report),
        class_name="report-history-item",
    )


def _button(label: rx.Var, on_click: rx.event.EventSpec, color: str, name: str) -> rx.Component:
    return rx.button(
        label,
        type="button",
        variant="soft",
        color_scheme=color,
        high_contrast=True,
        on_click=on_click,
        class_name=f"moderation-action {name}",
    )


def _actions() -> rx.Component:
    report = M.report
    account = M.account
    has_post = report.post_id.bool()
    return rx.vstack(
        rx.el.label(t("Reason (kept in the audit log)"), html_for="moderation-reason"),
        rx.text_area(
            value=M.reason,
            on_change=M.set_reason,
            id="moderation-reason",
            name="reason",
            rows="2",
            width="100%",
        ),
        rx.flex(
            rx.cond(
                report.status == "open",
                _button(t("Dismiss"), M.act("dismiss"), "gray", "act-dismiss"),
                _button(t("Reopen the report"), M.undo("reopen"), "gray", "undo-reopen"),
            ),
            rx.cond(
                has_post,
                rx.cond(
                    M.post_hidden,
                    _button(t("Unhide the post"), M.undo("unhide"), "amber", "undo-hide"),
                    _button(t("Hide the post"), M.act("hide"), "amber", "act-hide"),
                ),
                rx.fragment(),
            ),
            rx.cond(
                account.limited,
                _button(t("Lift the limit"), M.undo("unlimit"), "orange", "undo-limit"),
                _button(t("Limit the account"), M.act("limit"), "orange", "act-limit"),
            ),
            rx.cond(
                account.suspended,
                _button(t("Lift the suspension"), M.undo("unsuspend"), "red", "undo-suspend"),
                _button(t("Suspend the account"), M.act("suspend"), "red", "act-suspend"),
            ),
            wrap="wrap",
            class_name="moderation-actions",
        ),
        rx.cond(
            M.error != "",
            rx.text(M.error, color_scheme="red", role="alert", class_name="moderation-error"),
            rx.fragment(),
        ),
        spacing="2",
        width="100%",
    )


def report_panel() -> rx.Component:
    """The report under review: what was reported, by whom and why, the account, its
    history of reports, and the actions."""
    report = M.report
    account = M.account
    return rx.cond(
        report,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(t("Report under review"), as_="h2", size="4"),
                    rx.spacer(),
                    rx.button(
                        t("Close"),
                        type="button",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=M.close_report,
                    ),
                    width="100%",
                    align="center",
                ),
                rx.el.dl(
                    _fact(t("Reported by"), rx.text(report.reporter)),
                    _fact(t("Reason"), reason_label(report.reason)),
                    _fact(t("Comment"), rx.text(report.comment)),
                    _fact(t("When"), local_time(report.created)),
                    _fact(t("Status"), _status(report)),
                    class_name="report-facts",
                ),
                rx.cond(
                    report.post_id,
                    rx.cond(
                        M.post.length() > 0,
                        rx.box(rx.foreach(M.post, lambda post: post_card(post)), width="100%"),
                        rx.callout(
                            t(
                                "The post cannot be shown: it was deleted, or its author is "
                                "suspended."
                            ),
                            icon="info",
                            color_scheme="gray",
                            width="100%",
                        ),
                    ),
                    rx.fragment(),
                ),
                rx.heading(t("The account"), as_="h3", size="3"),
                rx.hstack(
                    avatar_link(account.username, account.avatar),
                    rx.vstack(
                        name_link(account.username),
                        rx.hstack(
                            rx.cond(
                                account.suspended,
                                rx.badge(t("Suspended"), color_scheme="red", high_contrast=True),
                                rx.fragment(),
                            ),
                            rx.cond(
                                account.limited,
                                rx.badge(t("Limited"), color_scheme="orange", high_contrast=True),
                                rx.fragment(),
                            ),
                            rx.cond(
                                account.moderator,
                                rx.badge(t("Moderator"), color_scheme="indigo", high_contrast=True),
                                rx.fragment(),
                            ),
                            spacing="1",
                            wrap="wrap",
                        ),
                        spacing="1",
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.heading(t("Reports on this account"), as_="h3", size="3"),
                rx.el.ul(rx.foreach(M.history, history_item), class_name="report-history"),
                _actions(),
                spacing="3",
                width="100%",
            ),
            width="100%",
            class_name="report-panel",
        ),
        rx.fragment(),
    )


def queue_section() -> rx.Component:
    return rx.vstack(
        report_panel(),
        rx.heading(t("Open reports"), as_="h2", size="4"),
        rx.cond(
            M.reports.length() > 0,
            rx.el.ul(rx.foreach(M.reports, queue_item), class_name="report-queue"),
            rx.callout(
                t("No open reports. New ones appear here as they arrive."),
                icon="check",
                color_scheme="gray",
                width="100%",
                class_name="queue-empty",
            ),
        ),
        # Oldest first: the reports made earlier are back, the later ones ahead.
        rx.hstack(
            rx.cond(
                M.has_earlier_reports,
                rx.button(
                    rx.icon("arrow-left"),
                    t("Older"),
                    variant="soft",
                    on_click=M.earlier_reports,
                    class_name="queue-older",
                ),
                rx.box(),
            ),
            rx.cond(
                M.has_later_reports,
                rx.button(
                    t("Newer"),
                    rx.icon("arrow-right"),
                    variant="soft",
                    on_click=M.later_reports,
                    class_name="queue-newer",
                ),
                rx.box(),
            ),
            justify="between",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def log_line(line: RowVar) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.strong(rx.cond(line.moderator != "", line.moderator, t("The system"))),
            rx.el.span(" · "),
            action_label(line.action),
            rx.cond(line.target != "", rx.el.span(" · ", line.target), rx.fragment()),
            rx.cond(
                line.post_id,
                rx.link(
                    t("the post"), href="/post/" + line.post_id.to_string(), margin_left="0.5em"
                ),
                rx.fragment(),
            ),
            class_name="log-line-title",
        ),
        rx.el.div(local_time(line.created), class_name="log-line-meta"),
        rx.cond(
            line.reason != "",
            rx.el.div(t("Why: %(reason)s", reason=line.reason), class_name="log-line-reason"),
            rx.fragment(),
        ),
        rx.cond(
            rx.Var.create(["dismiss", "hide", "limit", "suspend"]).contains(line.action)
            & ~line.undone,
            rx.button(
                t("Undo"),
                type="button",
                size="1",
                variant="soft",
                color_scheme="gray",
                high_contrast=True,
                on_click=M.undo_logged(line.id),
                class_name="log-undo",
            ),
            rx.fragment(),
        ),
        class_name="log-line",
        data_action=line.action,
    )


def log_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Audit log"), as_="h2", size="4"),
        rx.cond(
            M.error != "",
            rx.text(M.error, color_scheme="red", role="alert"),
            rx.fragment(),
        ),
        rx.cond(
            M.log.length() > 0,
            rx.el.ol(rx.foreach(M.log, log_line), class_name="audit-log"),
            rx.callout(t("Nothing done yet."), icon="info", color_scheme="gray", width="100%"),
        ),
        rx.hstack(
            rx.cond(
                M.has_newer_log,
                rx.button(rx.icon("arrow-left"), t("Newer"), variant="soft", on_click=M.newer_log),
                rx.box(),
            ),
            rx.cond(
                M.has_older_log,
                rx.button(t("Older"), rx.icon("arrow-right"), variant="soft", on_click=M.older_log),
                rx.box(),
            ),
            justify="between",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def moderators_section() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Moderators"), as_="h2", size="4"),
        rx.text(
            t("Administrators are moderators. Make another account a moderator by its name."),
            size="2",
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    value=M.grant_name,
                    on_change=M.set_grant_name,
                    name="username",
                    id="grant-username",
                    aria_label=t("Username"),
                    placeholder=t("Username"),
                    flex="1",
                ),
                submit_button(t("Make moderator"), class_name="grant-moderator"),
                width="100%",
            ),
            on_submit=M.grant_role,
            width="100%",
        ),
        rx.cond(
            M.role_error != "",
            rx.text(M.role_error, color_scheme="red", role="alert"),
            rx.fragment(),
        ),
        rx.el.ul(
            rx.foreach(
                M.moderators,
                lambda name: rx.el.li(
                    rx.text(name),
                    rx.button(
                        t("Revoke"),
                        type="button",
                        size="1",
                        variant="soft",
                        color_scheme="red",
                        high_contrast=True,
                        on_click=M.revoke_role(name),
                        aria_label=t("Revoke the moderator role of %(username)s", username=name),
                    ),
                    class_name="moderator-line",
                ),
            ),
            class_name="moderator-list",
        ),
        spacing="3",
        width="100%",
    )


def moderation_page() -> rx.Component:
    return layout(
        rx.heading(t("Moderation"), size="6"),
        rx.cond(
            M.loaded_here(),
            rx.cond(
                M.allowed,
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger(t("Reports"), value="queue"),
                        rx.tabs.trigger(t("Audit log"), value="log"),
                        rx.cond(
                            M.is_admin,
                            rx.tabs.trigger(t("Moderators"), value="moderators"),
                            rx.fragment(),
                        ),
                    ),
                    rx.tabs.content(queue_section(), value="queue", padding_top="1rem"),
                    rx.tabs.content(log_section(), value="log", padding_top="1rem"),
                    rx.tabs.content(moderators_section(), value="moderators", padding_top="1rem"),
                    value=M.section,
                    on_change=M.show_section,
                    width="100%",
                ),
                rx.callout(
                    rx.cond(M.error != "", M.error, t("Only moderators can do this.")),
                    icon="lock",
                    color_scheme="gray",
                    width="100%",
                    class_name="moderation-refused",
                ),
            ),
            loading(),
        ),
        menus=True,
    )
