"""The moderation page: the queue of open reports (live), one report in context with the
actions and their undo, the audit log (by keyset), and, for administrators, the moderator role.

Every handler re-checks the reader's role through the services (`moderation.require_moderator`
in each of them): hiding the navbar link is only a hint. A reader who is not (or no longer) a
moderator gets the services' Forbidden and the page empties itself. A new or resolved report
(`REPORTS_CHANGED`) reaches the open moderation pages of moderators only: one query picks them
(`_moderators_among`), and each of their tabs re-reads its queue.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlalchemy import select
from sqlmodel import Session

from microblog import routes
from microblog.config import get_settings
from microblog.db import run_db, run_read
from microblog.i18n import translate
from microblog.live import events as ev
from microblog.models import REPORT_COMMENT_MAX, User, table_of
from microblog.schemas import ModerationActionRow, PostRow, ReportRow
from microblog.services import announcements, moderation, safety, users
from microblog.services.errors import DomainError, Forbidden, NotFound
from microblog.services.moderation import AccountFacts
from microblog.state import delivery
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required

# (administrator, (queue, its cursor, its next cursor, the cursors back), audit log lines,
# next cursor, the open report, moderators)
_Queue = tuple[list[ReportRow], int | None, int | None, list[int]]
_Read = tuple[
    bool,
    _Queue,
    list[ModerationActionRow],
    int | None,
    moderation.ReportContext | None,
    list[str],
]
QUEUE_SIZE = 25
LOG_PAGE = 20
ACTIONS = ("dismiss", "hide", "limit", "suspend")
UNDOS = ("reopen", "unhide", "unlimit", "unsuspend")
TABS = ("queue", "log", "moderators")


class ModerationState(PageData, rx.State):
    allowed: bool = False
    is_admin: bool = False
    section: str = "queue"
    reports: list[ReportRow] = []
    # The queue's keyset cursors (0: none): this page starts after report `queue_after`; the
    # next starts after `queue_next`; `_queue_back` the cursors of the pages before.
    queue_after: int = 0
    queue_next: int = 0
    _queue_back: list[int] = []
    # The report open beside the queue, in context (it stays open once resolved, for its undo).
    selected_id: int = 0
    report: ReportRow | None = None
    post: list[PostRow] = []  # its post's card (none for an account's report, or gone)
    post_hidden: bool = False
    account: AccountFacts | None = None
    history: list[ReportRow] = []
    reason: str = ""
    error: str = ""
    # The audit log: this page's lines, and the keyset cursors (0: none).
    log: list[ModerationActionRow] = []
    log_before: int = 0
    log_next: int = 0
    _log_back: list[int] = []
    # Administrators: the accounts granted the role, and the name typed to grant it.
    moderators: list[str] = []
    grant_name: str = ""
    role_error: str = ""

    @rx.var
    def has_older_log(self) -> bool:
        return self.log_next != 0

    @rx.var
    def has_newer_log(self) -> bool:
        return self.log_before != 0

    @rx.var
    def has_later_reports(self) -> bool:
        return self.queue_next != 0

    @rx.var
    def has_earlier_reports(self) -> bool:
        return self.queue_after != 0

    async def _refuse(self, problem: DomainError) -> None:
        """The reader may not moderate (or no longer): show nothing of the page."""
        self.reset()
        self.error = translate(problem.message, await language_of(self))
        self._set_loaded()

    async def _read_all(self, user_id: int) -> None:
        """The queue, the audit log's page, the open report, and (administrators) the
        moderators: one unit of work."""
        before = self.log_before or None
        selected = self.selected_id
        after, back = self.queue_after or None, list(self._queue_back)

        def read(db: Session) -> _Read:
            me = moderation.require_moderator(db, user_id=user_id)
            admin = announcements.is_admin(me)
            queue = _queue_page(db, user_id, after, back)
            log, following = moderation.audit_log_before(
                db, moderator_id=user_id, before_id=before, per_page=LOG_PAGE
            )
            context = None
            if selected:
                try:
                    context = moderation.report_context(
                        db, moderator_id=user_id, report_id=selected
                    )
                except NotFound:
                    context = None
            names = moderation.list_moderators(db, admin_id=user_id) if admin else []
            return admin, queue, log, following, context, names

        try:
            admin, queue, log, following, context, names = await run_read(read)
        except Forbidden as problem:
            await self._refuse(problem)
            return
        self.allowed, self.is_admin = True, bool(admin)
        reports, after, following_report, back = queue
        self.reports, self._queue_back = list(reports), back
        self.queue_after, self.queue_next = int(after or 0), int(following_report or 0)
        self.log, self.log_next = list(log), int(following or 0)
        self.moderators = list(names)
        self._show_context(context)
        self._set_loaded()

    def _show_context(self, context: moderation.ReportContext | None) -> None:
        if context is None:
            self.selected_id, self.report, self.post, self.account = 0, None, [], None
            self.post_hidden, self.history = False, []
            return
        self.selected_id = context.report.id
        self.report = context.report
        self.post = [context.post] if context.post is not None else []
        self.post_hidden = context.post_hidden
        self.account = context.account
        self.history = context.history

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        self.error, self.role_error = "", ""
        section = self.router.url.query_parameters.get("section", "queue")
        self.section = section if section in TABS else "queue"
        await self._read_all(user_id)

    @rx.event
    @login_required
    async def show_section(self, section: str, *, user_id: int) -> None:
        if section not in TABS:
            return
        self.section = section
        await self._read_all(user_id)

    @rx.event
    @login_required
    async def select_report(self, report_id: int, *, user_id: int) -> None:
        """Open one report in context beside the queue."""
        self.selected_id, self.reason, self.error = int(report_id), "", ""
        await self._read_all(user_id)

    @rx.event
    async def close_report(self) -> None:
        self._show_context(None)
        self.reason, self.error = "", ""

    @rx.event
    async def set_reason(self, value: str) -> None:
        self.reason = str(value)[: REPORT_COMMENT_MAX + 1]

    async def _run(self, user_id: int, change: Callable[[Session], object]) -> None:
        """Do one moderation action, then re-read the page (the action's own live event
        updates every other moderator's)."""
        try:
            await run_db(change)
        except Forbidden as problem:
            await self._refuse(problem)
            return
        except DomainError as problem:
            self.error = translate(problem.message, await language_of(self))
            return
        self.error, self.reason = "", ""
        await self._read_all(user_id)

    @rx.event
    @login_required
    async def act(self, action: str, *, user_id: int) -> None:
        """An action on the open report: dismiss it, hide its post, limit or suspend its
        account, with the reason typed beside the buttons."""
        report, reason = self.report, self.reason
        if report is None or action not in ACTIONS:
            return
        rid, target, post_id = report.id, report.target_id, report.post_id

        def change(db: Session) -> object:
            if action == "dismiss":
                return moderation.dismiss_report(
                    db, moderator_id=user_id, report_id=rid, reason=reason
                )
            if action == "hide":
                if post_id is None:
                    return None
                return moderation.hide_post(
                    db, moderator_id=user_id, post_id=post_id, reason=reason, report_id=rid
                )
            flag = moderation.limit_account if action == "limit" else moderation.suspend_account
            open_report = rid if report.status == "open" else None
            return flag(
                db, moderator_id=user_id, user_id=target, reason=reason, report_id=open_report
            )

        await self._run(user_id, change)

    @rx.event
    @login_required
    async def undo(self, action: str, *, user_id: int) -> None:
        """Undo on the open report: reopen it, unhide its post, lift the limit or the
        suspension of its account."""
        report, reason = self.report, self.reason
        if report is None or action not in UNDOS:
            return
        await self._run(
            user_id, _undo(action, user_id, report.id, report.target_id, report.post_id, reason)
        )

    @rx.event
    @login_required
    async def undo_logged(self, action_id: int, *, user_id: int) -> None:
        """Undo an action of the audit log (the line is the server's own, from this tab's
        state; the service checks the role and whether there is anything to undo)."""
        line = next((row for row in self.log if row.id == int(action_id)), None)
        if line is None or line.action not in moderation.UNDO or line.undone:
            return
        undo = moderation.UNDO[line.action]
        await self._run(
            user_id,
            _undo(undo, user_id, line.report_id or 0, line.target_id, line.post_id, ""),
        )

    @rx.event
    @login_required
    async def later_reports(self, *, user_id: int) -> None:
        """The next page of the queue (reports made later)."""
        if not self.queue_next:
            return
        self._queue_back = [*self._queue_back, self.queue_after]
        self.queue_after = self.queue_next
        await self._read_all(user_id)

    @rx.event
    @login_required
    async def earlier_reports(self, *, user_id: int) -> None:
        back = self._queue_back
        self.queue_after = back[-1] if back else 0
        self._queue_back = back[:-1]
        await self._read_all(user_id)

    @rx.event
    @login_required
    async def older_log(self, *, user_id: int) -> None:
        if not self.log_next:
            return
        self._log_back = [*self._log_back, self.log_before]
        self.log_before = self.log_next
        await self._read_all(user_id)

    @rx.event
    @login_required
    async def newer_log(self, *, user_id: int) -> None:
        back = self._log_back
        self.log_before = back[-1] if back else 0
        self._log_back = back[:-1]
        await self._read_all(user_id)

    @rx.event
    async def set_grant_name(self, value: str) -> None:
        self.grant_name = str(value)[:100]

    async def _set_role(self, user_id: int, username: str, grant: bool) -> None:
        def change(db: Session) -> None:
            target = users.get_user_by_username(db, username.strip())
            moderation.set_moderator(
                db, user_id=target.id or 0, moderator=grant, granted_by=user_id
            )

        try:
            await run_db(change)
        except DomainError as problem:
            self.role_error = translate(problem.message, await language_of(self))
            return
        self.role_error, self.grant_name = "", ""
        await self._read_all(user_id)

    @rx.event
    @login_required
    async def grant_role(self, _form: dict | None = None, *, user_id: int) -> None:
        """An administrator makes the account named a moderator."""
        await self._set_role(user_id, self.grant_name, True)

    @rx.event
    @login_required
    async def revoke_role(self, username: str, *, user_id: int) -> None:
        await self._set_role(user_id, str(username), False)

    async def _on_reports_changed(self) -> None:
        """A report arrived or was acted on (here or by another moderator): read again."""
        user_id = (await self.get_state(SessionState)).user_id
        if user_id and self.allowed:
            await self._read_all(user_id)


def _queue_page(db: Session, user_id: int, after: int | None, back: list[int]) -> _Queue:
    """The queue's page after report `after`; when every report on it was resolved meanwhile
    (here or by another moderator), the page before it, and so on back to the first."""
    while True:
        reports, following = moderation.open_reports_after(
            db, moderator_id=user_id, after_id=after, per_page=QUEUE_SIZE
        )
        if reports or after is None:
            return reports, after, following, back
        after, back = (back[-1] or None) if back else None, back[:-1]


def _undo(
    action: str,
    user_id: int,
    report_id: int,
    target_id: int,
    post_id: int | None,
    reason: str,
) -> Callable[[Session], object]:
    def change(db: Session) -> object:
        if action == "reopen":
            return moderation.reopen_report(
                db, moderator_id=user_id, report_id=report_id, reason=reason
            )
        if action == "unhide":
            return moderation.unhide_post(
                db, moderator_id=user_id, post_id=post_id or 0, reason=reason
            )
        lift = moderation.unlimit_account if action == "unlimit" else moderation.unsuspend_account
        return lift(db, moderator_id=user_id, user_id=target_id, reason=reason)

    return change


_USER = table_of(User).c


def _moderators_among(db: Session, _event: ev.LiveEvent, readers: set[int]) -> set[int]:
    """Of the readers with the moderation page open, the moderators (one query): nobody
    else's tab is opened for a report event."""
    found = db.execute(
        select(_USER.id, _USER.email, _USER.is_admin, _USER.is_moderator).where(
            _USER.id.in_(readers)
        )
    )
    admins = get_settings().admins
    return {
        uid for uid, email, admin, mod in found if mod or admin or email.strip().lower() in admins
    }


delivery.subscribe(
    safety.REPORTS_CHANGED,
    ModerationState,
    "_on_reports_changed",
    where=lambda tab: tab.path.rstrip("/") == routes.MODERATION,
    audience=_moderators_among,
)
