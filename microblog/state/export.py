"""The post export as a tab sees it: the user's current export task (id, status, progress,
message), shown as a bar on every page, and the profile's "Export your posts" button.

The job itself runs on the process's task runner (services/tasks.py), not in this tab: closing
the tab does not stop it, and every open tab of the user follows it through TASK live events,
each re-reading the task's row (subscribed below). A page load reads the same row, with the
badges (`live.on_connect`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import reflex as rx
from reflex.config import get_config
from sqlmodel import Session

from microblog.db import run_db
from microblog.i18n import translate
from microblog.live import events as ev
from microblog.services import exports
from microblog.services.errors import Conflict
from microblog.state import delivery, live
from microblog.state.locale import language_of
from microblog.state.session import SessionState, login_required

log = logging.getLogger(__name__)

# A finished export stays on the bar this long (or until dismissed in the tab); after that the
# profile's download link, the notification and the email remain.
SHOW_FINISHED_FOR = timedelta(minutes=15)


class ExportState(rx.State):
    task_id: str = ""
    status: str = ""  # "", queued, running, done, failed
    progress: int = 0
    # The task's error, or a note (the email could not be sent): the English msgid stored in the
    # row, translated in the browser so it follows the tab's language (task_progress.py).
    message: str = ""
    notice: str = ""  # the answer to a click ("already running"), in the tab's language
    show_bar: bool = False  # the bar under the navbar (a finished export hides after a while)
    _dismissed_id: str = ""

    @rx.var
    def is_active(self) -> bool:
        return self.status in ("queued", "running")

    @rx.var
    def download_href(self) -> str:
        if self.status != "done":
            return ""
        return f"{get_config().api_url.rstrip('/')}/export/{self.task_id}"

    def _show(self, view: exports.TaskView | None) -> None:
        if view is None:
            self.task_id, self.status, self.progress, self.message = "", "", 0, ""
            self.show_bar = False
            return
        self.task_id, self.status = view.id, view.status
        self.progress, self.message = view.progress, view.message
        if view.status not in ("queued", "running"):
            self.notice = ""  # "already running" no longer holds
        finished = datetime.fromisoformat(view.finished_at) if view.finished_at else None
        recent = finished is None or datetime.now(UTC) - finished <= SHOW_FINISHED_FOR
        self.show_bar = recent and view.id != self._dismissed_id

    async def _reload(self) -> None:
        """Re-read the user's current export from its row (page load, live event)."""
        user_id = (await self.get_state(SessionState)).user_id
        if not user_id:
            self._show(None)
            return
        self._show(await run_db(lambda db: exports.current_export(db, user_id=user_id)))

    async def _on_live_task(self) -> None:
        await self._reload()

    @rx.event
    async def start_export(self) -> rx.event.EventSpec | None:
        return await self._start()

    @rx.event
    async def retry(self) -> rx.event.EventSpec | None:
        return await self._start()

    @login_required
    async def _start(self, *, user_id: int) -> rx.event.EventSpec | None:
        try:
            view = await run_db(lambda db: exports.start_export(db, user_id=user_id))
        except Conflict as problem:
            self.notice = translate(problem.message, await language_of(self))
            await self._reload()
            return None
        self.notice = ""
        self._dismissed_id = ""
        self._show(view)
        return None

    @rx.event
    def dismiss(self) -> None:
        """Hide a finished export's bar in this tab (the row, file and notification stay)."""
        if not self.is_active:
            self._dismissed_id = self.task_id
            self.show_bar = False


def _current_export(db: Session, user_id: int) -> exports.TaskView | None:
    return exports.current_export(db, user_id=user_id) if user_id else None


live.on_connect(ExportState, "_show", read=_current_export)
delivery.subscribe(ev.TASK, ExportState, "_on_live_task")
