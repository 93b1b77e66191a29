"""The post export service: the streamed file, one active export per user, progress, failure,
orphans left by a restart, and the clean-up of old files. Jobs run on a real runner thread
against the test database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.db import session_scope
from microblog.live import hub as live_hub
from microblog.live.events import TASK, LiveEvent
from microblog.models import Notification, Post, Task, User, utcnow
from microblog.services import exports, notifications, posts, reactions
from microblog.services.errors import Conflict, NotFound
from microblog.services.tasks import LocalLeases, TaskRunner, set_runner


class RecordingHub:
    """Stands in for the live hub; records each TASK event with the row's progress and status
    as a tab re-reading it right then would see them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seen: list[tuple[str, int]] = []
        self.events: list[LiveEvent] = []

    def publish(self, event: LiveEvent) -> None:
        self.events.append(event)
        if event.kind == TASK:
            with Session(self.engine) as db:
                task = db.exec(select(Task).order_by(Task.created.desc())).first()
                if task is not None:
                    self.seen.append((task.status, task.progress))


@pytest.fixture
def export_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Point EXPORT_DIR (and any other setting given) somewhere private; returns the folder."""

    def configure(**env: str) -> Path:
        folder = tmp_path / "exports"
        monkeypatch.setenv("EXPORT_DIR", str(folder))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return folder

    configure()
    yield configure
    get_settings.cache_clear()


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner(workers=2, leases=LocalLeases())
    set_runner(task_runner)
    yield task_runner
    task_runner.stop()
    set_runner(None)


@pytest.fixture
def hub(engine: Engine) -> Iterator[RecordingHub]:
    recording = RecordingHub(engine)
    live_hub.set_hub(recording)  # type: ignore[arg-type]
    yield recording
    live_hub.set_hub(None)


def add_posts(engine: Engine, user_id: int, count: int, *, same_second: int = 0) -> None:
    """`count` posts, oldest first a minute apart; the last `same_second` share one timestamp
    (so the keyset cursor must break ties by id)."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(count):
        tick = min(i, count - same_second) if same_second else i
        rows.append(
            {
                "body": f'post {i} — ünïcode "quoted" <b>{i}</b>',
                "timestamp": start + timedelta(minutes=tick),
                "user_id": user_id,
                "language": "en" if i % 2 else None,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(Post), rows)


def start(engine: Engine, user_id: int) -> exports.TaskView:
    with session_scope(engine) as db:
        return exports.start_export(db, user_id=user_id)


def task_row(engine: Engine, task_id: str) -> Task:
    with Session(engine) as db:
        task = db.get(Task, task_id)
        assert task is not None
        return task


def test_export_streams_every_post_as_valid_json(
    engine: Engine, session: Session, add_user, export_env, runner: TaskRunner, hub
) -> None:
    folder = export_env(EXPORT_BATCH_SIZE="300")
    susan, other = add_user(session, "susan"), add_user(session, "john")
    session.commit()
    add_posts(engine, susan.id, 2500, same_second=450)  # ties across batch boundaries
    add_posts(engine, other.id, 40)

    started = start(engine, susan.id)
    assert started.status == "queued" and started.progress == 0
    runner.wait_idle()

    task = task_row(engine, started.id)
    assert (task.status, task.progress, task.error) == ("done", 100, None)
    assert task.started_at is not None and task.finished_at is not None
    assert task.result_path == f"{susan.id}/{started.id}.json"
    path = folder / task.result_path
    data = json.loads(path.read_text(encoding="utf-8"))
    with Session(engine) as db:
        expected = db.exec(
            select(Post).where(Post.user_id == susan.id).order_by(Post.timestamp, Post.id)
        ).all()
    assert data["count"] == 2500 == len(data["posts"])
    assert [p["id"] for p in data["posts"]] == [p.id for p in expected]
    first = data["posts"][0]
    assert set(first) == {
        "id",
        "url",
        "body",
        "timestamp",
        "language",
        "in_reply_to",
        "in_reply_to_url",
        "edited_at",
        "media",
    }
    assert (first["in_reply_to"], first["edited_at"], first["media"]) == (None, None, [])
    assert data["boosts"] == [] and data["likes"] == []
    assert first["body"] == expected[0].body
    assert first["timestamp"] == "2024-01-01T00:00:00Z"
    assert {p["language"] for p in data["posts"]} == {"en", ""}
    assert not list(path.parent.glob(".*.part"))  # the temporary file was renamed away

    with Session(engine) as db:
        kinds = db.exec(select(Notification.kind).where(Notification.user_id == susan.id)).all()
    assert kinds == [notifications.EXPORT]
    listing = notifications.list_notifications(session, user_id=susan.id, page=1, per_page=5)
    assert listing.items[0].href == "/user/susan"
    assert "exported" in listing.items[0].text


def test_one_active_export_per_user(
    engine: Engine, session: Session, add_user, export_env, hub
) -> None:
    class HeldRunner:
        """Accepts jobs and runs none, so the first export stays queued."""

        submitted: list[str] = []

        def submit(self, task_id: str, _job) -> None:
            self.submitted.append(task_id)

    held = HeldRunner()
    set_runner(held)  # type: ignore[arg-type]
    try:
        susan, john = add_user(session, "susan"), add_user(session, "john")
        session.commit()
        first = start(engine, susan.id)
        with pytest.raises(Conflict, match="already running"):
            start(engine, susan.id)
        start(engine, john.id)  # someone else's export is no obstacle
        assert len(held.submitted) == 2  # the refused one never reached the runner

        with session_scope(engine) as db:
            db.get(Task, first.id).status = "done"
        assert start(engine, susan.id).status == "queued"  # finished: a new one may start
    finally:
        set_runner(None)


def test_two_simultaneous_starts_give_one_export(
    engine: Engine, session: Session, add_user, export_env, hub
) -> None:
    """Two tabs clicking at once: two transactions race on the partial unique index."""
    set_runner(type("Idle", (), {"submit": lambda *_: None})())  # type: ignore[arg-type]
    try:
        susan = add_user(session, "susan")
        session.commit()
        outcomes: list[str] = []
        first_inserted = threading.Event()

        def second_tab() -> None:
            first_inserted.wait(10)
            try:
                start(engine, susan.id)
                outcomes.append("started")
            except Conflict:
                outcomes.append("conflict")

        thread = threading.Thread(target=second_tab)
        thread.start()
        with session_scope(engine) as db:
            exports.start_export(db, user_id=susan.id)
            db.flush()
            first_inserted.set()  # the second insert now waits on our uncommitted row
        thread.join(30)
        assert outcomes == ["conflict"]
        with Session(engine) as db:
            assert len(db.exec(select(Task).where(Task.user_id == susan.id)).all()) == 1
    finally:
        set_runner(None)


def test_progress_goes_to_the_row_before_each_live_event(
    engine: Engine, session: Session, add_user, export_env, runner, hub, monkeypatch
) -> None:
    export_env(EXPORT_BATCH_SIZE="100")
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 0.0)
    susan = add_user(session, "susan")
    session.commit()
    add_posts(engine, susan.id, 1000)
    start(engine, susan.id)
    runner.wait_idle()

    assert hub.seen[0] == ("queued", 0)
    assert hub.seen[1] == ("running", 0)
    middle = [p for status, p in hub.seen if status == "running" and p > 0]
    # 99 until the file is renamed and the row says done (100).
    assert middle == [10, 20, 30, 40, 50, 60, 70, 80, 90, 99]
    assert hub.seen[-1] == ("done", 100)
    assert all(event.user_ids == (susan.id,) for event in hub.events)


def test_progress_writes_are_throttled(
    engine: Engine, session: Session, add_user, export_env, runner, hub
) -> None:
    export_env(EXPORT_BATCH_SIZE="10")  # 300 batches: unthrottled, that would be 99 writes
    susan = add_user(session, "susan")
    session.commit()
    add_posts(engine, susan.id, 3000)
    started = datetime.now(UTC)
    start(engine, susan.id)
    runner.wait_idle()
    elapsed = (datetime.now(UTC) - started).total_seconds()

    writes = [p for status, p in hub.seen if status == "running" and p > 0]
    assert len(writes) <= elapsed / exports.PROGRESS_SECONDS + 1
    assert writes == sorted(set(writes))  # only ever forward


def test_a_failure_marks_the_task_failed_with_a_message_and_retry_works(
    engine: Engine, session: Session, add_user, export_env, runner, hub
) -> None:
    folder = export_env()
    susan = add_user(session, "susan")
    session.commit()
    add_posts(engine, susan.id, 50)
    folder.mkdir(parents=True)
    (folder / str(susan.id)).write_text("a file where the user's folder should be")

    failed = start(engine, susan.id)
    runner.wait_idle()
    task = task_row(engine, failed.id)
    assert task.status == "failed"
    assert task.error == "The export file could not be written. Please retry in a moment."
    assert task.finished_at is not None and task.result_path is None
    assert hub.seen[-1][0] == "failed"

    (folder / str(susan.id)).unlink()
    retried = start(engine, susan.id)  # a failed task is no obstacle
    runner.wait_idle()
    assert task_row(engine, retried.id).status == "done"
    with Session(engine) as db:
        assert exports.current_export(db, user_id=susan.id).id == retried.id


def test_shutdown_interrupts_a_running_export(
    engine: Engine, session: Session, add_user, export_env, hub
) -> None:
    folder = export_env(EXPORT_BATCH_SIZE="10", EXPORT_BATCH_PAUSE="5")
    susan = add_user(session, "susan")
    session.commit()
    add_posts(engine, susan.id, 100)
    task_runner = TaskRunner(workers=1, leases=LocalLeases())
    set_runner(task_runner)
    try:
        started = start(engine, susan.id)
        # The job pauses after its first batch; stop() must not wait the pauses out.
        task_runner.stop(timeout=10)
    finally:
        set_runner(None)
    task = task_row(engine, started.id)
    assert (task.status, task.error) == ("failed", exports.INTERRUPTED)
    assert not any(folder.rglob("*.json*"))


def _active_task(engine: Engine, user_id: int, status: str, age: timedelta) -> str:
    with session_scope(engine) as db:
        task = Task(
            id=f"{status}-{user_id}-{age.seconds}",
            name=exports.EXPORT_POSTS,
            user_id=user_id,
            status=status,
            created=utcnow() - age,
        )
        db.add(task)
        return task.id


def test_orphans_are_failed_but_live_and_fresh_tasks_are_not(
    engine: Engine, session: Session, add_user, hub
) -> None:
    a, b, c, d = (add_user(session, name) for name in ("ann", "bob", "cat", "dan"))
    session.commit()
    hour = timedelta(hours=1)
    orphan_running = _active_task(engine, a.id, "running", hour)
    orphan_queued = _active_task(engine, b.id, "queued", hour)
    held = _active_task(engine, c.id, "running", hour)
    fresh = _active_task(engine, d.id, "queued", timedelta(seconds=1))
    leases = LocalLeases()
    leases.hold(held)

    with session_scope(engine) as db:
        failed = exports.fail_orphaned_tasks(db, alive=leases.alive)
    assert sorted(failed) == sorted([orphan_running, orphan_queued])
    for task_id in failed:
        task = task_row(engine, task_id)
        assert (task.status, task.error) == ("failed", "Interrupted by a restart — retry.")
    assert task_row(engine, held).status == "running"
    assert task_row(engine, fresh).status == "queued"
    task_events = [e for e in hub.events if e.kind == TASK]
    assert task_events and set(task_events[-1].user_ids) == {a.id, b.id}

    with session_scope(engine) as db:  # at start-up with one worker, nothing waits for grace
        assert exports.fail_orphaned_tasks(db, alive=leases.alive, grace=timedelta(0)) == [fresh]


def test_redis_leases_tell_a_sibling_worker_what_is_alive(
    engine: Engine, session: Session, add_user, hub
) -> None:
    import os

    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set")
    from microblog.services.tasks import RedisLeases

    susan = add_user(session, "susan")
    session.commit()
    running = _active_task(engine, susan.id, "running", timedelta(hours=1))
    database = f"test-{running}-{os.getpid()}"
    worker_one, worker_two = RedisLeases(url, database), RedisLeases(url, database)
    worker_one.hold(running)
    with session_scope(engine) as db:  # worker two restarts: worker one's task is alive
        assert exports.fail_orphaned_tasks(db, alive=worker_two.alive) == []
    worker_one._client.delete(worker_one._key(running))  # worker one died: the lease ran out
    with session_scope(engine) as db:
        assert exports.fail_orphaned_tasks(db, alive=worker_two.alive) == [running]


def test_a_new_export_retires_the_previous_file_and_old_files_expire(
    engine: Engine, session: Session, add_user, export_env, runner, hub
) -> None:
    folder = export_env()
    susan = add_user(session, "susan")
    session.commit()
    add_posts(engine, susan.id, 10)
    first = start(engine, susan.id)
    runner.wait_idle()
    first_file = folder / task_row(engine, first.id).result_path
    assert first_file.is_file()

    second = start(engine, susan.id)
    runner.wait_idle()
    assert not first_file.exists()
    assert task_row(engine, first.id).result_path is None
    second_file = folder / task_row(engine, second.id).result_path
    assert second_file.is_file()

    with session_scope(engine) as db:
        assert exports.expire_export_files(db, older_than=utcnow() - timedelta(days=7)) == 0
    assert second_file.is_file()
    with session_scope(engine) as db:
        assert exports.expire_export_files(db, older_than=utcnow() + timedelta(seconds=1)) == 1
    assert not second_file.exists()
    with Session(engine) as db, pytest.raises(NotFound):
        exports.export_file(db, user_id=susan.id, task_id=second.id)


def test_export_file_is_for_its_owner_only(
    engine: Engine, session: Session, add_user, export_env, runner, hub
) -> None:
    susan, john = add_user(session, "susan"), add_user(session, "john")
    session.commit()
    add_posts(engine, susan.id, 5)
    done = start(engine, susan.id)
    runner.wait_idle()
    with Session(engine) as db:
        path, name = exports.export_file(db, user_id=susan.id, task_id=done.id)
        assert path.is_file() and name.startswith("microblog-posts-susan-")
        for user_id, task_id in ((john.id, done.id), (susan.id, "nope"), (susan.id, "x" * 99)):
            with pytest.raises(NotFound):
                exports.export_file(db, user_id=user_id, task_id=task_id)


def test_a_user_without_posts_gets_an_empty_list(
    engine: Engine, session: Session, add_user, export_env, runner, hub
) -> None:
    folder = export_env()
    quiet = add_user(session, "quiet")
    session.commit()
    done = start(engine, quiet.id)
    runner.wait_idle()
    data = json.loads((folder / task_row(engine, done.id).result_path).read_text())
    assert data["posts"] == [] and data["count"] == 0
    with Session(engine) as db:
        assert db.get(User, quiet.id) is not None


def test_export_has_replies_edits_boosts_and_likes(
    engine: Engine, session: Session, add_user, export_env, runner: TaskRunner, hub
) -> None:
    """Replies say what they answer, an edited post is exported as it reads now (with when it
    was edited), and the boosts and likes the user made are listed with the post and the time;
    other people's reactions to the user's posts are not the user's data."""
    folder = export_env(EXPORT_BATCH_SIZE="2")  # every section spans batches
    susan, john = add_user(session, "susan"), add_user(session, "john")
    session.commit()
    johns = [
        posts.create_post(session, author_id=john.id, body=f"john {i}", language="en")
        for i in range(3)
    ]
    original = posts.create_post(session, author_id=susan.id, body="first draft", language="en")
    session.commit()
    reply = posts.create_post(
        session, author_id=susan.id, body="an answer", language="en", reply_to_id=johns[0].id
    )
    posts.edit_post(session, post_id=original.id, user_id=susan.id, body="final text")
    for post in johns:
        reactions.like_post(session, user_id=susan.id, post_id=post.id)
    for post in johns[1:]:
        reactions.boost_post(session, user_id=susan.id, post_id=post.id)
    reactions.like_post(session, user_id=john.id, post_id=original.id)
    reactions.boost_post(session, user_id=john.id, post_id=original.id)
    session.commit()

    started = start(engine, susan.id)
    runner.wait_idle()
    task = task_row(engine, started.id)
    assert task.status == "done", task.error
    data = json.loads((folder / task.result_path).read_text(encoding="utf-8"))

    assert data["count"] == 2
    by_id = {p["id"]: p for p in data["posts"]}
    assert set(by_id) == {original.id, reply.id}  # her boosts are not posts of hers
    assert by_id[original.id]["body"] == "final text"
    assert by_id[original.id]["edited_at"] is not None
    assert by_id[original.id]["url"] == f"/post/{original.id}"
    assert by_id[reply.id]["in_reply_to"] == johns[0].id
    assert by_id[reply.id]["in_reply_to_url"] == f"/post/{johns[0].id}"
    assert by_id[reply.id]["edited_at"] is None
    assert [b["post_id"] for b in data["boosts"]] == [p.id for p in johns[1:]]
    assert [b["url"] for b in data["boosts"]] == [f"/post/{p.id}" for p in johns[1:]]
    assert sorted(like["post_id"] for like in data["likes"]) == sorted(p.id for p in johns)
    assert all(like["liked_at"].endswith("Z") for like in data["likes"])
    assert all(b["boosted_at"].endswith("Z") for b in data["boosts"])


def test_export_lists_each_posts_pictures_with_their_alt_text(
    engine: Engine, session: Session, add_user, export_env, runner: TaskRunner, hub, tmp_path
) -> None:
    """The file names (content hashes, as stored), their addresses and alt texts, in order."""
    import io

    from PIL import Image

    from microblog.services.media import attachments
    from microblog.services.media.store import LocalStore, use_store

    use_store(LocalStore(tmp_path / "media", "http://media.test/media"))
    try:
        folder = export_env()
        susan = add_user(session, "susan")
        session.commit()
        ids = []
        for colour, alt in (((200, 0, 0), "A red square"), ((0, 0, 200), "")):
            out = io.BytesIO()
            Image.new("RGB", (64, 64), colour).save(out, "PNG")
            row = attachments.upload_media(session, user_id=susan.id, data=out.getvalue())
            attachments.describe_media(session, user_id=susan.id, media_id=row.id, alt_text=alt)
            ids.append(row.id)
        post = posts.create_post(session, author_id=susan.id, body="squares", media_ids=ids)
        session.commit()
        started = start(engine, susan.id)
        runner.wait_idle()
        task = task_row(engine, started.id)
        data = json.loads((folder / task.result_path).read_text(encoding="utf-8"))
        (exported,) = [p for p in data["posts"] if p["id"] == post.id]
        assert [m["description"] for m in exported["media"]] == ["A red square", ""]
        for item in exported["media"]:
            assert item["url"] == f"http://media.test/media/{item['file']}"
            assert item["file"].endswith(".png") and item["content_type"] == "image/png"
    finally:
        use_store(None)
