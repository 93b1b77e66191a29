"""Prometheus metrics at /metrics (microblog/metrics.py, web/metrics.py, state/event_timing.py).

The main test starts the whole backend (the Reflex app with its websocket, not only the HTTP
app) under granian on a loopback port, makes requests over HTTP, opens a signed-in tab over the
raw websocket protocol, sends that user a message over the API, and reads /metrics between the
steps: every series is there and moves with what was done. The others check who may scrape,
the queue queries on both databases, and the multiprocess mode with real processes.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.config import PROJECT_ROOT, normalize_database_url
from microblog.db import make_engine
from microblog.models import SearchOutbox, Task
from microblog.services.exports import EXPORT_POSTS, count_export_tasks
from microblog.services.search import count_outbox
from tests.api.conftest import Account, register
from tests.app_server import serve_reflex_backend
from tests.conftest import migrate
from tests.reflex_socket import RawTab, session_cookie

COOKIE = "mb_metrics_test"


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in an exposition, or None when it is not there."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return None


def wait_until(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the metrics did not get there in time")
        time.sleep(0.1)  # polling the server's own counters, not a page


class Backend:
    def __init__(self, base: str, engine: Engine) -> None:
        self.base, self.engine = base, engine
        self.http = httpx.Client(base_url=base, timeout=30)

    def scrape(self) -> str:
        response = self.http.get("/metrics")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/plain")
        return response.text


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The whole backend (HTTP, websocket, lifespan jobs) with a fresh SQLite database."""
    work = tmp_path_factory.mktemp("metrics")
    url = f"sqlite:///{work / 'metrics.db'}"
    migrate(url)
    env = {
        "SESSION_COOKIE_NAME": COOKIE,
        "API_TOKEN_RATE_LIMIT": "1000/60",
        "API_REGISTER_RATE_LIMIT": "1000/3600",
    }
    engine = make_engine(normalize_database_url(url))
    try:
        with serve_reflex_backend(url, work, env) as server:
            found = Backend(server.base, engine)
            yield found
            found.http.close()
    finally:
        engine.dispose()


def test_the_series_are_there_and_move(backend: Backend) -> None:
    api = httpx.Client(base_url=f"{backend.base}/api", timeout=30)
    alice: Account = register(api, "mal")
    bob: Account = register(api, "mbob")
    first = backend.scrape()
    created = sample(
        first,
        "microblog_http_request_duration_seconds_count",
        method="POST",
        route="/api/users",
        status="201",
    )
    assert created is not None and created >= 2
    # The route template, never the raw path.
    assert api.get(f"/users/{alice.id}", headers=alice.headers).status_code == 200
    assert api.get("/users/999999", headers=alice.headers).status_code == 404
    second = backend.scrape()
    template = {"method": "GET", "route": "/api/users/{user_id}"}
    name = "microblog_http_request_duration_seconds_count"
    assert sample(second, name, **template, status="200") == 1
    assert sample(second, name, **template, status="404") == 1
    assert f"/api/users/{alice.id}" not in second
    assert sample(second, "microblog_websocket_connections") == 0
    assert sample(second, "microblog_search_outbox_depth") == 0
    assert sample(second, "microblog_export_tasks", status="queued") == 0

    # A signed-in tab: its events are timed; a message to its reader is delivered live.
    cookie = session_cookie(backend.engine, bob.id, COOKIE)
    delivered = "microblog_live_delivery_seconds_count"

    async def tab_session() -> tuple[str, str]:
        tab = RawTab(
            "127.0.0.1",
            int(backend.base.rsplit(":", 1)[1]),
            origin="http://localhost:3000",
            cookie=cookie,
        )
        await tab.open("/")
        await tab.settled()
        while_open = await asyncio.to_thread(backend.scrape)
        sent = await asyncio.to_thread(
            api.post, f"/conversations/{bob.username}", json={"body": "hi"}, headers=alice.headers
        )
        assert sent.status_code == 201, sent.text
        await asyncio.to_thread(
            wait_until, lambda: (sample(backend.scrape(), delivered, kind="inbox") or 0) >= 1
        )
        after = await asyncio.to_thread(backend.scrape)
        await tab.close()
        return while_open, after

    while_open, after = asyncio.run(tab_session())
    assert sample(while_open, "microblog_websocket_connections") == 1
    events = "microblog_event_duration_seconds_count"
    assert (sample(while_open, events, event="FeedState.load_home") or 0) >= 1
    assert (sample(while_open, events, event="LiveState.connect") or 0) >= 1
    assert (sample(after, events, event="FeedState.load_home") or 0) >= 1
    # The delivery took a real, short time.
    total = sample(after, "microblog_live_delivery_seconds_sum", kind="inbox")
    assert total is not None and 0 < total < 10
    wait_until(lambda: sample(backend.scrape(), "microblog_websocket_connections") == 0)

    # The queues are read when scraped.
    with Session(backend.engine) as db:
        db.add(SearchOutbox(post_id=1))
        db.add(Task(id="metrics-task", name=EXPORT_POSTS, user_id=bob.id, status="queued"))
        db.commit()
    queued = backend.scrape()
    assert sample(queued, "microblog_search_outbox_depth") == 1
    assert sample(queued, "microblog_export_tasks", status="queued") == 1
    assert sample(queued, "microblog_export_tasks", status="running") == 0
    api.close()


def test_only_this_machine_may_scrape_without_a_token(backend: Backend) -> None:
    assert backend.http.get("/metrics").status_code == 200
    for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
        refused = backend.http.get("/metrics", headers={header: "203.0.113.9"})
        assert refused.status_code == 403, header
        assert "microblog_" not in refused.text


def test_with_a_token_only_the_token_opens_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    import microblog.web.metrics as web_metrics
    from microblog.config import load_settings
    from microblog.web import create_http_app

    monkeypatch.setenv("METRICS_TOKEN", "s3cret-token")
    monkeypatch.setattr(web_metrics, "get_settings", load_settings)
    client = TestClient(create_http_app(), client=("127.0.0.1", 40000))
    assert client.get("/metrics").status_code == 401  # loopback alone is not enough now
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    ok = client.get(
        "/metrics",
        headers={"Authorization": "Bearer s3cret-token", "X-Forwarded-For": "203.0.113.9"},
    )
    assert ok.status_code == 200 and "microblog_http_request_duration_seconds" in ok.text
    monkeypatch.setenv("METRICS_ENABLED", "0")
    assert (
        client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"}).status_code == 404
    )


def test_the_queue_queries(session: Session, add_user: Callable[..., object]) -> None:
    user = add_user(session, "queued")
    assert count_outbox(session, cap=10) == 0
    assert count_export_tasks(session) == {"queued": 0, "running": 0}
    for post_id in range(5):
        session.add(SearchOutbox(post_id=post_id))
    session.add(Task(id="t1", name=EXPORT_POSTS, user_id=user.id, status="running"))
    session.add(Task(id="t2", name=EXPORT_POSTS, user_id=user.id, status="done"))
    session.add(Task(id="t3", name="something_else", user_id=user.id, status="queued"))
    session.commit()
    assert count_outbox(session, cap=10) == 5
    assert count_outbox(session, cap=3) == 3  # counting stops at the cap
    assert count_export_tasks(session) == {"queued": 0, "running": 1}


_WORKER = """
import sys
from microblog import metrics
metrics.REQUEST_SECONDS.labels("GET", "/x", "200").observe(0.01)
metrics.WEBSOCKETS.inc()
print("ready", flush=True)
if sys.argv[1] == "stay":
    sys.stdin.readline()
"""


def test_multiprocess_mode_adds_up_the_workers(tmp_path: Path) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, a scrape in one process reports every worker's counts;
    a worker that has exited keeps its totals but not its open connections."""
    folder, url = tmp_path / "prometheus", f"sqlite:///{tmp_path / 'queues.db'}"
    folder.mkdir()
    migrate(url)
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "MICROBLOG_ENV": "test",
        "DATABASE_URL": url,
    }

    def python(*args: str, **kwargs: object) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, *args], cwd=PROJECT_ROOT, env=env, text=True, **kwargs
        )

    staying = python("-c", _WORKER, "stay", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert staying.stdout is not None and staying.stdout.readline().strip() == "ready"
        gone = python("-c", _WORKER, "exit", stdout=subprocess.PIPE)
        assert gone.wait(60) == 0
        scrape = python(
            "-c",
            "from microblog import metrics; print(metrics.render().decode())",
            stdout=subprocess.PIPE,
        )
        out, _ = scrape.communicate(timeout=60)
    finally:
        staying.communicate("\n", timeout=60)
    labels = {"method": "GET", "route": "/x", "status": "200"}
    assert sample(out, "microblog_http_request_duration_seconds_count", **labels) == 2
    assert sample(out, "microblog_websocket_connections") == 1
    assert sample(out, "microblog_export_tasks", status="queued") is not None
