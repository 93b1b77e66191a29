"""Export a user's posts to a JSON file in the background (Mega-Tutorial chapter 22), emailed to
them and downloadable from their profile.

- `start_export` records a queued `Task`; the partial unique index on (user, name) for queued or
  running rows makes a second start (another click, another tab, another worker) a `Conflict`.
  The job is handed to the process's task runner (services/tasks.py) only once that commits.
- `run_export` (on a runner thread) streams the posts to `<EXPORT_DIR>/<user id>/<task id>.json`
  in keyset-paginated batches, through a temporary file renamed at the end, so memory stays flat
  and nobody ever sees half a file. Progress goes to the row (throttled) and, after each commit,
  a TASK live event makes the user's open tabs re-read it.
- Done: a notification, the email (with the file attached when small enough, queued in the
  email outbox in the same transaction, so it goes out even if the mail server is down right
  now), and the user's older export files deleted (we keep the latest per user; files also
  expire after EXPORT_KEEP_DAYS). Failed: status failed and a message the user can act on
  (Retry).
- `fail_orphaned_tasks` (start-up and every minute) fails queued/running rows that no live
  worker holds a lease on: a restart mid-job must not leave a bar running forever.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, text, tuple_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, select

from microblog import emails
from microblog.after_commit import defer
from microblog.config import get_settings
from microblog.db import engine_of, get_engine, session_scope
from microblog.i18n import _l
from microblog.live.events import TASK, LiveEvent, publish_after_commit
from microblog.mail import Attachment
from microblog.models import Like, Post, Task, User, utcnow
from microblog.routes import post_url
from microblog.schemas import iso_utc, media_rows
from microblog.services import mail_outbox, notifications
from microblog.services.errors import Conflict, NotFound
from microblog.services.tasks import get_runner

log = logging.getLogger(__name__)

EXPORT_POSTS = "export_posts"
# Stored in the task row as English (the msgid, no parameters): the bar translates them in the
# reader's language when it shows them (components/task_progress.py), the API shows them as is.
DESCRIPTION = _l("Exporting posts…")
ALREADY_RUNNING = _l("An export of your posts is already running.")
INTERRUPTED = _l("Interrupted by a restart — retry.")
NO_SUCH_EXPORT = _l("There is no such export.")
# Progress is written at most every PROGRESS_SECONDS, and only when the percentage has moved.
PROGRESS_SECONDS = 0.25
# Freshly created rows are left alone by the sweep for this long (their lease may be on its way).
ORPHAN_GRACE = timedelta(seconds=30)
# Matches the partial unique index's predicate word for word, so both databases can use that
# (tiny) index to find active tasks instead of scanning every task ever run.
_ACTIVE = text("status IN ('queued', 'running')")
# Plain UPDATEs: nothing loaded in the session needs to follow them.
_PLAIN = {"synchronize_session": False, "preserve_rowcount": True}


@dataclass(frozen=True)
class TaskView:
    """What a tab shows about a task: small, and nothing private."""

    id: str
    status: str
    progress: int
    description: str
    message: str
    finished_at: str  # ISO 8601 UTC, or "" while it runs


def _view(task: Task) -> TaskView:
    return TaskView(
        id=task.id,
        status=task.status,
        progress=task.progress,
        description=task.description,
        message=task.error or "",
        finished_at=iso_utc(task.finished_at) if task.finished_at else "",
    )


class _Interrupted(Exception):
    """The job must stop: the backend is shutting down, or the row was failed under us."""


# -- starting and reading ---------------------------------------------------------------------


def start_export(session: Session, *, user_id: int) -> TaskView:
    """Queue an export of the user's posts; `Conflict` if one is already queued or running."""
    task = Task(id=str(uuid.uuid4()), name=EXPORT_POSTS, description=DESCRIPTION, user_id=user_id)
    try:
        with session.begin_nested():
            session.add(task)
    except IntegrityError as problem:  # the partial unique index: one active export per user
        raise Conflict(ALREADY_RUNNING) from problem
    task_id = task.id
    publish_after_commit(session, LiveEvent(TASK, user_ids=(user_id,)))
    job = partial(run_export, engine=engine_of(session))
    defer(session, lambda: get_runner().submit(task_id, job))
    return _view(task)


def current_export(session: Session, *, user_id: int) -> TaskView | None:
    """The user's latest export (on the (user_id, created) index), whatever its status."""
    task = session.exec(
        select(Task)
        .where(Task.user_id == user_id, Task.name == EXPORT_POSTS)
        .order_by(col(Task.created).desc())
        .limit(1)
    ).first()
    return _view(task) if task else None


def export_file(session: Session, *, user_id: int, task_id: str) -> tuple[Path, str]:
    """(path, download name) of a finished export of this user. Someone else's task, an
    unfinished one or a deleted file are all `NotFound`: nothing tells them apart."""
    task = session.get(Task, task_id) if len(task_id) <= 36 else None
    if task is None or task.user_id != user_id or task.status != "done" or not task.result_path:
        raise NotFound(NO_SUCH_EXPORT)
    root = Path(get_settings().export_dir).resolve()
    path = (root / task.result_path).resolve()
    if root not in path.parents or not path.is_file():
        raise NotFound(NO_SUCH_EXPORT)
    user = session.get(User, user_id)
    stamp = (task.finished_at or utcnow()).strftime("%Y-%m-%d")
    return path, f"microblog-posts-{user.username if user else user_id}-{stamp}.json"


# -- the job ----------------------------------------------------------------------------------


def run_export(
    task_id: str,
    stopping: threading.Event | None = None,
    *,
    engine: Engine | None = None,
) -> None:
    """The job: claim the queued row, write the file, finish (or fail) the row and queue the
    email. Runs on a runner thread; every database step is its own short transaction."""
    engine = engine or get_engine()
    stopping = stopping or threading.Event()
    claimed = _claim(engine, task_id)
    if claimed is None:
        return  # failed by a sweep or started elsewhere meanwhile: not ours to run
    user_id, username, email, language, total = claimed
    try:
        path, count = _write_file(engine, task_id, user_id, total, stopping)
        message = _email((username, email, language), path, count)
    except _Interrupted as stop:
        _fail(engine, task_id, user_id, str(stop) or INTERRUPTED)
        return
    except Exception as problem:
        log.exception("Export %s of user %s failed", task_id, user_id)
        _fail(engine, task_id, user_id, _readable(problem))
        return
    if not _finish(engine, task_id, user_id, path, message):
        path.unlink(missing_ok=True)


def _claim(engine: Engine, task_id: str) -> tuple[int, str, str, str | None, int] | None:
    """Mark the queued row running; (user id, username, email, language, post count)."""
    with session_scope(engine) as db:
        started = db.exec(
            update(Task)
            .where(col(Task.id) == task_id, col(Task.status) == "queued")
            .values(status="running", started_at=utcnow(), progress=0),
            execution_options=_PLAIN,
        )
        if started.rowcount != 1:
            return None
        task = db.get(Task, task_id)
        user = db.get(User, task.user_id) if task else None
        if task is None or user is None:
            return None
        # Posts and boosts (both post rows), and likes: what the file will hold, for the bar.
        total = db.exec(select(func.count()).where(Post.user_id == user.id)).one()
        total += db.exec(select(func.count()).where(Like.user_id == user.id)).one()
        publish_after_commit(db, LiveEvent(TASK, user_ids=(user.id or 0,)))
        return user.id or 0, user.username, user.email, user.language, int(total)


def _batches(
    engine: Engine, columns: tuple[Any, ...], where: Any, size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """Rows of `columns` matching `where`, oldest first, `size` at a time. The first two columns
    are the key, (time, id): keyset pagination, so each batch is one range read of an index
    that starts with the user and the time (posts and boosts: `ix_post_user_timestamp`; likes:
    `ix_post_like_user`), whatever the depth (OFFSET, or keying on id alone, would re-read or
    re-sort everything before it), and each is its own short read, so no transaction stays
    open for the length of the export."""
    cursor: tuple[datetime, int] | None = None
    while True:
        query = select(*columns).where(where)
        if cursor is not None:
            query = query.where(tuple_(columns[0], columns[1]) > tuple_(*cursor))
        query = query.order_by(columns[0], columns[1]).limit(size)
        with Session(engine) as db:
            rows: list[tuple[Any, ...]] = [tuple(row) for row in db.exec(query).all()]
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        cursor = (rows[-1][0], rows[-1][1])


def _posts_of(user_id: int) -> tuple[tuple[Any, ...], Any]:
    """The user's posts and replies, as they read now (an edited post's current text)."""
    columns = (
        col(Post.timestamp),
        col(Post.id),
        col(Post.body),
        col(Post.language),
        col(Post.reply_to_id),
        col(Post.edited_at),
        col(Post.media_json),
    )
    return columns, (col(Post.user_id) == user_id) & col(Post.boost_of_id).is_(None)


def _boosts_of(user_id: int) -> tuple[tuple[Any, ...], Any]:
    """The user's boosts: when, and of which post."""
    columns = (col(Post.timestamp), col(Post.id), col(Post.boost_of_id))
    return columns, (col(Post.user_id) == user_id) & col(Post.boost_of_id).is_not(None)


def _likes_of(user_id: int) -> tuple[tuple[Any, ...], Any]:
    """The posts the user liked, and when."""
    return (col(Like.created), col(Like.post_id)), col(Like.user_id) == user_id


def _post_record(row: tuple[Any, ...]) -> dict[str, Any]:
    timestamp, post_id, body, language, reply_to_id, edited_at, media = row
    return {
        "id": post_id,
        "url": post_url(post_id),
        "body": body,
        "timestamp": iso_utc(timestamp),
        "language": language or "",
        "in_reply_to": reply_to_id,
        "in_reply_to_url": post_url(reply_to_id) if reply_to_id else None,
        "edited_at": iso_utc(edited_at) if edited_at else None,
        # The post's pictures (read from the post's own copy of them: no query per post).
        "media": [
            {
                "file": picture.file_name,
                "url": picture.url,
                "description": picture.description,
                "content_type": picture.content_type,
                "width": picture.width,
                "height": picture.height,
            }
            for picture in media_rows(media)
        ],
    }


def _boost_record(row: tuple[Any, ...]) -> dict[str, Any]:
    boosted_at, _boost_id, post_id = row
    return {"post_id": post_id, "url": post_url(post_id), "boosted_at": iso_utc(boosted_at)}


def _like_record(row: tuple[Any, ...]) -> dict[str, Any]:
    liked_at, post_id = row
    return {"post_id": post_id, "url": post_url(post_id), "liked_at": iso_utc(liked_at)}


class _Progress:
    """Writes the percentage to the row at most every PROGRESS_SECONDS and only when it moved,
    then tells the user's tabs. A row no longer running (a sweep failed it) stops the job."""

    def __init__(self, engine: Engine, task_id: str, user_id: int, total: int) -> None:
        self.engine, self.task_id, self.user_id, self.total = engine, task_id, user_id, total
        self.written = 0
        self.at = time.monotonic()

    def update(self, done: int) -> None:
        percent = min(99, done * 100 // self.total) if self.total else 0
        now = time.monotonic()
        if percent <= self.written or now - self.at < PROGRESS_SECONDS:
            return
        with session_scope(self.engine) as db:
            result = db.exec(
                update(Task)
                .where(col(Task.id) == self.task_id, col(Task.status) == "running")
                .values(progress=percent),
                execution_options=_PLAIN,
            )
            if result.rowcount != 1:
                raise _Interrupted(INTERRUPTED)
            publish_after_commit(db, LiveEvent(TASK, user_ids=(self.user_id,)))
        self.written, self.at = percent, now


def _write_file(
    engine: Engine, task_id: str, user_id: int, total: int, stopping: threading.Event
) -> tuple[Path, int]:
    settings = get_settings()
    folder = Path(settings.export_dir) / str(user_id)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{task_id}.json"
    part_file = folder / f".{task_id}.json.part"
    progress = _Progress(engine, task_id, user_id, total)
    done = 0
    counts: dict[str, int] = {}
    sections = (
        ("posts", _posts_of(user_id), _post_record),
        ("boosts", _boosts_of(user_id), _boost_record),
        ("likes", _likes_of(user_id), _like_record),
    )
    try:
        with part_file.open("w", encoding="utf-8") as out:
            out.write(f'{{"exported_at": {json.dumps(iso_utc(utcnow()))}')
            for name, (columns, where), record in sections:
                out.write(f', "{name}": [')
                count = 0
                for batch in _batches(engine, columns, where, settings.export_batch_size):
                    for row in batch:
                        out.write("\n" if count == 0 else ",\n")
                        out.write(json.dumps(record(row), ensure_ascii=False))
                        count += 1
                    done += len(batch)
                    if stopping.is_set():
                        raise _Interrupted(INTERRUPTED)
                    progress.update(done)
                    if settings.export_batch_pause and stopping.wait(settings.export_batch_pause):
                        raise _Interrupted(INTERRUPTED)
                out.write("\n]" if count else "]")
                counts[name] = count
            out.write(f', "count": {counts["posts"]}}}\n')
            out.flush()
            os.fsync(out.fileno())
        os.replace(part_file, final)
    finally:
        part_file.unlink(missing_ok=True)
    return final, counts["posts"]


def _finish(engine: Engine, task_id: str, user_id: int, path: Path, message: EmailMessage) -> bool:
    """Mark done, notify, queue the email, and retire the user's older export files (after
    the commit)."""
    root = Path(get_settings().export_dir)
    with session_scope(engine) as db:
        done = db.exec(
            update(Task)
            .where(col(Task.id) == task_id, col(Task.status) == "running")
            .values(
                status="done",
                progress=100,
                finished_at=utcnow(),
                result_path=path.relative_to(root).as_posix(),
            ),
            execution_options=_PLAIN,
        )
        if done.rowcount != 1:
            return False
        older = db.exec(
            select(Task).where(
                Task.user_id == user_id,
                Task.name == EXPORT_POSTS,
                Task.id != task_id,
                col(Task.result_path).is_not(None),
            )
        ).all()
        _retire_files(db, older, root)
        notifications.notify(db, user_id=user_id, kind=notifications.EXPORT)
        mail_outbox.queue_email(db, message)
        publish_after_commit(db, LiveEvent(TASK, user_ids=(user_id,)))
    return True


def _retire_files(db: Session, tasks: Iterable[Task], root: Path) -> None:
    """Forget the tasks' files now and delete them once that commits."""
    paths = []
    for task in tasks:
        if task.result_path:
            paths.append(root / task.result_path)
            task.result_path = None
            db.add(task)

    def delete() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    if paths:
        defer(db, delete)


def _email(recipient: tuple[str, str, str | None], path: Path, count: int) -> EmailMessage:
    """The file (or, when too big for mail servers, where to get it), in the user's language
    (`recipient` is username, email, language), like the other emails. The attachment's bytes
    go into the outbox row with the message: the file itself may be replaced by a newer export
    or expire before a down mail server comes back."""
    username, email, language = recipient
    attachment = None
    if path.stat().st_size <= get_settings().export_mail_max_bytes:
        attachment = Attachment(
            filename=f"microblog-posts-{username}.json",
            content_type="application/json",
            data=path.read_bytes(),
        )
    return emails.export_posts_email(
        username=username, email=email, attachment=attachment, count=count, language=language
    )


def _fail(engine: Engine, task_id: str, user_id: int, message: str) -> None:
    try:
        with session_scope(engine) as db:
            db.execute(
                update(Task)
                .where(col(Task.id) == task_id, _ACTIVE)
                .values(status="failed", error=message[:500], finished_at=utcnow()),
                execution_options=_PLAIN,
            )
            publish_after_commit(db, LiveEvent(TASK, user_ids=(user_id,)))
    except SQLAlchemyError:  # the database is gone too: the next sweep fails the row
        log.exception("Could not record the failure of task %s", task_id)


def _readable(problem: Exception) -> str:
    """A message the user can act on; the details go to the log."""
    if isinstance(problem, OSError):
        return _l("The export file could not be written. Please retry in a moment.")
    if isinstance(problem, SQLAlchemyError):
        return _l("The database did not answer while exporting. Please retry in a moment.")
    return _l("Something went wrong while exporting your posts. Please retry.")


# -- housekeeping -----------------------------------------------------------------------------


def fail_orphaned_tasks(
    session: Session, *, alive: Callable[[list[str]], set[str]], grace: timedelta = ORPHAN_GRACE
) -> list[str]:
    """Fail queued/running tasks that no live worker holds, with INTERRUPTED; returns their ids.

    `alive` is the runner's lease check. Rows younger than `grace` are skipped: a task created a
    moment ago may not have its lease yet.
    """
    rows = session.exec(
        select(Task.id, Task.user_id).where(_ACTIVE, col(Task.created) < utcnow() - grace)
    ).all()
    if not rows:
        return []
    running = alive([task_id for task_id, _ in rows])
    orphans = [(task_id, user_id) for task_id, user_id in rows if task_id not in running]
    if not orphans:
        return []
    session.execute(
        update(Task)
        .where(col(Task.id).in_([task_id for task_id, _ in orphans]), _ACTIVE)
        .values(status="failed", error=INTERRUPTED, finished_at=utcnow()),
        execution_options=_PLAIN,
    )
    publish_after_commit(session, LiveEvent(TASK, user_ids=tuple(sorted({u for _, u in orphans}))))
    return [task_id for task_id, _ in orphans]


def expire_export_files(session: Session, *, older_than: datetime) -> int:
    """Delete export files finished before `older_than` (EXPORT_KEEP_DAYS); returns how many."""
    old = session.exec(
        select(Task).where(
            Task.name == EXPORT_POSTS,
            col(Task.result_path).is_not(None),
            col(Task.finished_at) < older_than,
        )
    ).all()
    _retire_files(session, old, Path(get_settings().export_dir))
    return len(old)


def count_export_tasks(session: Session) -> dict[str, int]:
    """Exports queued and running now, by status (the metrics' export queue): the partial index
    of active tasks answers it, however many tasks have ever run."""
    rows = session.execute(
        select(Task.status, func.count())
        .where(Task.name == EXPORT_POSTS, _ACTIVE)
        .group_by(col(Task.status))
    ).all()
    found = {"queued": 0, "running": 0}
    found.update({status: int(count) for status, count in rows})
    return found
