"""The REST API over real HTTP: the backend's HTTP app (`microblog.web:create_http_app`, exactly
the object Reflex mounts with `api_transformer`) served by granian, the server `reflex run`
uses, on a free 127.0.0.1 port, with its own freshly migrated database: a SQLite file, and a
PostgreSQL schema when TEST_DATABASE_URL is set. Servers are started once per test session and
always stopped (their whole process group).

Tests share a server, so each one registers its own users under unique names.
"""

from __future__ import annotations

import base64
import itertools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from microblog.config import normalize_database_url
from microblog.db import make_engine
from tests.app_server import ServerDidNotStart, serve_asgi
from tests.conftest import BACKENDS, migrate, pg_schema

PASSWORD = "correct horse battery"
_names = itertools.count(1)


@dataclass
class ApiServer:
    base: str  # http://127.0.0.1:PORT
    database_url: str
    log_path: Path
    engine: Engine = field(repr=False)

    @property
    def api(self) -> str:
        return f"{self.base}/api"

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.api, timeout=30, **kwargs)  # type: ignore[arg-type]


@contextmanager
def serve_http_app(
    database_url: str,
    work_dir: Path,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
) -> Iterator[ApiServer]:
    """granian serving `create_http_app()` on a free loopback port until the block ends."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MICROBLOG_ENV": "test",
        "LOG_TO_STDOUT": "1",
        "API_TOKEN_RATE_LIMIT": "10000/60",
        "API_REGISTER_RATE_LIMIT": "10000/3600",
        "MASTODON_APP_RATE_LIMIT": "10000/3600",
        "OAUTH_TOKEN_RATE_LIMIT": "10000/300",
        # Uploaded pictures go to the test's folder, not the project's instance/media.
        "MEDIA_DIR": str(work_dir / "media"),
        **(extra_env or {}),
    }
    if "REDIS_URL" not in (extra_env or {}):  # live events stay in the server unless asked
        env.pop("REDIS_URL", None)
    log_path = work_dir / f"granian-{next(_names)}.log"
    engine = make_engine(normalize_database_url(database_url))
    try:
        with serve_asgi(
            "microblog.web:create_http_app",
            env=env,
            ready_path="/api/openapi.json",
            log_path=log_path,
            port=port,
        ) as server:
            yield ApiServer(
                base=server.base, database_url=database_url, log_path=log_path, engine=engine
            )
    except ServerDidNotStart as problem:
        pytest.fail(str(problem))
    finally:
        engine.dispose()


@contextmanager
def _database(backend: str, work_dir: Path) -> Iterator[str]:
    if backend == "sqlite":
        url = f"sqlite:///{work_dir / 'api.db'}"
        migrate(url)
        yield url
    else:
        with pg_schema() as url:
            migrate(url)
            yield url


@pytest.fixture(scope="session", params=BACKENDS)
def api_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """The API with generous rate limits (tests make many tokens from one address). With
    TEST_REDIS_URL set it publishes live events to that Redis, where a test listens."""
    work = tmp_path_factory.mktemp(f"api-{request.param}")
    extra = {}
    if redis_url := os.environ.get("TEST_REDIS_URL"):
        extra["REDIS_URL"] = redis_url
    with _database(request.param, work) as url, serve_http_app(url, work, extra) as server:
        yield server


@pytest.fixture(scope="session", params=BACKENDS)
def limited_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """The API with small rate limits, on its own database (its own counters)."""
    work = tmp_path_factory.mktemp(f"api-limited-{request.param}")
    limits = {
        "API_TOKEN_RATE_LIMIT": "3/60",
        "API_REGISTER_RATE_LIMIT": "2/3600",
        "MASTODON_APP_RATE_LIMIT": "2/3600",
        "OAUTH_TOKEN_RATE_LIMIT": "3/60",
    }
    with _database(request.param, work) as url, serve_http_app(url, work, limits) as server:
        yield server


@pytest.fixture
def api(api_server: ApiServer) -> Iterator[httpx.Client]:
    with api_server.client() as client:
        yield client


def unique_name(prefix: str = "u") -> str:
    return f"{prefix}{next(_names)}x{secrets.token_hex(3)}"


def basic(username: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Account:
    """A registered user and a live token: `headers` authenticates as them."""

    id: int
    username: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def register(client: httpx.Client, prefix: str = "u", **fields: str) -> Account:
    username = fields.pop("username", None) or unique_name(prefix)
    email = fields.pop("email", None) or f"{username}@example.com"
    body = {"username": username, "email": email, "password": PASSWORD, **fields}
    created = client.post("/users", json=body)
    assert created.status_code == 201, created.text
    token = client.post("/tokens", headers=basic(username, PASSWORD))
    assert token.status_code == 200, token.text
    return Account(created.json()["id"], username, email.lower(), token.json()["token"])


@pytest.fixture
def make_account(api: httpx.Client):
    """`make_account(prefix="u", **fields)`: register a user over the API and get a token."""

    def make(prefix: str = "u", **fields: str) -> Account:
        return register(api, prefix, **fields)

    return make
