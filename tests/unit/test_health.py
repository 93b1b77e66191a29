"""`/healthz` (alive) and `/readyz` (what the site needs answers), microblog/web/health.py over
microblog/health.py. Through nginx, with PostgreSQL made unreachable and back:
tests/e2e/test_production.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

import microblog.db
from microblog.config import get_settings
from microblog.health import readiness
from microblog.web.health import router

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    for name in ("REDIS_URL", "ELASTICSEARCH_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.usefixtures("use_engine", "settings_env")
def test_ready_when_the_database_answers(client: TestClient) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "failed": [], "checks": {"database": "ok"}}
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.usefixtures("use_engine")
def test_an_unreachable_redis_is_named(
    client: TestClient, settings_env: pytest.MonkeyPatch
) -> None:
    settings_env.setenv("REDIS_URL", UNREACHABLE_REDIS)
    get_settings.cache_clear()
    answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["failed"] == ["redis"] and body["checks"]["database"] == "ok"
    assert "ConnectionError" in body["checks"]["redis"]


@pytest.mark.usefixtures("settings_env")
def test_an_unreachable_database_is_named_and_healthz_stays_up(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead: Engine = create_engine("postgresql+psycopg://nobody:s3cret-pw@127.0.0.1:1/none")
    monkeypatch.setattr(microblog.db, "get_engine", lambda: dead)
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["failed"] == ["database"]
    assert "s3cret-pw" not in answer.text  # what failed, never the credentials
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.usefixtures("settings_env")
def test_a_check_that_hangs_is_cut_short(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import microblog.health

    release = threading.Event()
    monkeypatch.setattr(microblog.health, "check_database", lambda: release.wait(5))
    try:
        (result,) = readiness(timeout=0.2)
    finally:
        release.set()
    assert not result.ok and result.detail == "no answer within 0.2 s"
