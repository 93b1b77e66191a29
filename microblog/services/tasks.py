"""Where background tasks run: a small thread pool owned by this backend process, plus the
leases that tell a restarted (or sibling) worker which queued/running `Task` rows still have a
live owner.

Why a pool of our own rather than a Reflex background event: the job must not belong to the tab
that started it (closing the tab must not stop it, and every tab of the user sees the same
progress), it has no per-tab state to mutate, and a plain function on a thread can be started
and tested without Reflex. The truth about a task is its row; the live layer only says "look
again".

Leases: with one backend worker (no Redis) a task row that says queued/running at start-up has
no owner, since this process has just started. With Redis (several workers, maybe several
hosts), each worker keeps a Redis key per task it runs, refreshed by a heartbeat thread and
expiring when the worker dies; a task without a live key is an orphan.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Protocol, cast

log = logging.getLogger(__name__)

# A job gets its task id and the runner's stop flag, which is set when the backend shuts down:
# the job then gives up at its next checkpoint and marks its task as interrupted.
Job = Callable[[str, threading.Event], None]

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leases(Protocol):
    #: Whether a task row created by another process may be running there right now.
    shared: bool

    def hold(self, task_id: str) -> None: ...

    def release(self, task_id: str) -> None: ...

    def refresh(self) -> None: ...

    def alive(self, task_ids: Iterable[str]) -> set[str]:
        """The ids among `task_ids` that some live worker is running."""
        ...


class LocalLeases:
    """One worker: only this process runs tasks, so what it does not hold, nobody does."""

    shared = False

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def hold(self, task_id: str) -> None:
        with self._lock:
            self._held.add(task_id)

    def release(self, task_id: str) -> None:
        with self._lock:
            self._held.discard(task_id)

    def refresh(self) -> None:
        return None

    def alive(self, task_ids: Iterable[str]) -> set[str]:
        with self._lock:
            return {t for t in task_ids if t in self._held}


class RedisLeases:
    """A key per running task, `<prefix>:<task id>` = this worker's id, with a TTL that the
    heartbeat keeps renewing. A worker that dies (even by SIGKILL) stops renewing, and after
    `ttl` seconds its tasks are orphans that any worker's sweep may fail."""

    shared = True

    def __init__(self, url: str, database_url: str, ttl: int = 60) -> None:
        import redis

        digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
        self.prefix = f"microblog:task-lease:{digest}"
        self.ttl = ttl
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._held: set[str] = set()
        self._lock = threading.Lock()

    def _key(self, task_id: str) -> str:
        return f"{self.prefix}:{task_id}"

    def hold(self, task_id: str) -> None:
        with self._lock:
            self._held.add(task_id)
        try:
            self._client.set(self._key(task_id), WORKER_ID, ex=self.ttl)
        except Exception:  # the heartbeat retries; a sweep meanwhile treats Redis as down
            log.exception("Could not take the lease of task %s", task_id)

    def release(self, task_id: str) -> None:
        with self._lock:
            self._held.discard(task_id)
        try:
            self._client.delete(self._key(task_id))
        except Exception:
            log.exception("Could not release the lease of task %s (it expires anyway)", task_id)

    def refresh(self) -> None:
        with self._lock:
            held = list(self._held)
        if held:
            pipe = self._client.pipeline(transaction=False)
            for task_id in held:
                pipe.set(self._key(task_id), WORKER_ID, ex=self.ttl)
            pipe.execute()

    def alive(self, task_ids: Iterable[str]) -> set[str]:
        """Raises when Redis cannot answer: then nobody can tell, and nothing must be failed."""
        ids = list(task_ids)
        if not ids:
            return set()
        # redis types every command's answer as "an awaitable or anything" (one client class
        # for sync and async): MGET answers a list, one value or None per key.
        values = cast(list[bytes | None], self._client.mget([self._key(t) for t in ids]))
        return {t for t, v in zip(ids, values, strict=True) if v is not None}


class TaskRunner:
    """The pool the jobs run on, with their leases and a heartbeat that renews them."""

    def __init__(self, workers: int, leases: Leases, heartbeat_seconds: float = 20.0) -> None:
        self.leases = leases
        self.stopping = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="task")
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._heartbeat_seconds = heartbeat_seconds
        self._heartbeat: threading.Thread | None = None

    def submit(self, task_id: str, job: Job) -> Future[None]:
        self.leases.hold(task_id)
        self._start_heartbeat()
        future = self._pool.submit(self._run, task_id, job)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def _run(self, task_id: str, job: Job) -> None:
        try:
            job(task_id, self.stopping)
        except Exception:  # jobs record their own failures; this is the last line
            log.exception("Task %s crashed", task_id)
        finally:
            self.leases.release(task_id)

    def _start_heartbeat(self) -> None:
        with self._lock:
            if self._heartbeat is not None or not self.leases.shared:
                return
            self._heartbeat = threading.Thread(
                target=self._beat, name="task-heartbeat", daemon=True
            )
            self._heartbeat.start()

    def _beat(self) -> None:
        while not self.stopping.wait(self._heartbeat_seconds):
            try:
                self.leases.refresh()
            except Exception:
                log.exception("Could not renew task leases")

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Block until every submitted job has finished (tests, benchmarks)."""
        with self._lock:
            pending = list(self._futures)
        _, not_done = wait(pending, timeout=timeout)
        if not_done:
            raise TimeoutError(f"{len(not_done)} task(s) still running after {timeout}s")

    def stop(self, timeout: float = 20.0) -> None:
        """Shutdown: ask running jobs to give up (they mark their tasks interrupted) and wait for
        them; queued ones never start (the next start-up's sweep fails them)."""
        self.stopping.set()
        with self._lock:
            pending = list(self._futures)
        for future in pending:
            future.cancel()
        wait(pending, timeout=timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)


_runner: TaskRunner | None = None
_runner_lock = threading.Lock()


def get_runner() -> TaskRunner:
    """The process's runner, built from config on first use (Redis leases when REDIS_URL)."""
    global _runner
    with _runner_lock:
        if _runner is None:
            from microblog.config import get_settings

            settings = get_settings()
            leases: Leases = (
                RedisLeases(settings.redis_url, settings.database_url)
                if settings.redis_url
                else LocalLeases()
            )
            _runner = TaskRunner(settings.export_workers, leases)
        return _runner


def set_runner(runner: TaskRunner | None) -> None:
    """Replace the runner (tests); None rebuilds it from config on next use."""
    global _runner
    with _runner_lock:
        _runner = runner
