"""Shared fixtures: a freshly migrated database per test, on SQLite always and on PostgreSQL when
TEST_DATABASE_URL is set.

Every database is built by the real Alembic migrations (not `SQLModel.metadata.create_all`), so
the tests exercise the schema that production runs on.
"""

from __future__ import annotations

import os

os.environ.setdefault("MICROBLOG_ENV", "test")
# No test reaches the internet: posts' links get no preview unless a test turns it on (and
# then only pages on loopback, through the test allowance: tests/unit/test_link_cards.py).
os.environ.setdefault("LINK_PREVIEWS", "0")
# The fixtures write many posts, follows and messages at once: the spam brakes own tests
# (tests/unit/test_safety.py) turn them on.
os.environ.setdefault("SPAM_BRAKES", "0")

import re
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from alembic.config import Config
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from alembic import command
from microblog.config import normalize_database_url
from microblog.db import make_engine
from microblog.models import User
from microblog.security import hash_password
from microblog.services import link_cards, mail_outbox, password_reset
from microblog.services.users import register_user
from tests.smtp import SmtpSink

# Fixtures every test may ask for by name.
pytest_plugins = ["tests.recording_hub"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL", "")

PRODUCTION_TEST_REDIS_DB = 13  # tests/e2e/test_production.py's own


def redis_url_for_worker(url: str, worker: str) -> str:
    """The Redis database of one pytest-xdist worker (`gw0`, `gw1`, ...; the Makefile's
    TEST_WORKERS): tests empty their Redis database, so workers running side by side each take
    their own, counting down from the one TEST_REDIS_URL names and passing over the production
    test's. Pub/sub channels are named after each app's own database (microblog/live/hub.py), so
    they stay apart whatever the number."""
    found = re.fullmatch(r"(.*/)(\d+)", url)
    index = int(worker.removeprefix("gw")) if worker.startswith("gw") else 0
    if not found or index == 0:
        return url
    free = [db for db in range(int(found[2]) - 1, -1, -1) if db != PRODUCTION_TEST_REDIS_DB]
    if index > len(free):
        raise RuntimeError(f"no Redis database left for pytest worker {worker} below {url}")
    return f"{found[1]}{free[index - 1]}"


if os.environ.get("TEST_REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["TEST_REDIS_URL"] = redis_url_for_worker(
        os.environ["TEST_REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"]
    )

# A test on the PostgreSQL side of a fixture that takes either database is marked `postgresql`
# (`-m "not postgresql"` leaves it out: the Makefile's test-3.13).
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgresql,
            pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set"),
        ],
    ),
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests last. Playwright's sync API keeps an event loop running in the main thread
    until the session ends, and tests that use asyncio themselves cannot start theirs after it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def fresh_log_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with the log's whole budget of tracebacks (microblog/logs.py), so
    what one test logged does not change what the next one sees."""
    import microblog.logs

    for name in ("_tracebacks", "_error_lines"):
        limiter = getattr(microblog.logs, name)
        monkeypatch.setattr(microblog.logs, name, type(limiter)(limiter.limit, limiter.window))


def alembic_config(url: str) -> Config:
    """An Alembic config for `url` that leaves the test run's logging alone."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    # ConfigParser interpolation: a literal '%' (URL escapes) must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


@contextmanager
def pg_schema() -> Iterator[str]:
    """A PostgreSQL URL whose connections see only a new, empty schema; dropped on exit, so
    nothing is left behind in the server."""
    base = normalize_database_url(PG_URL)
    schema = f"mbtest_{uuid.uuid4().hex[:16]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@contextmanager
def pg_database(prefix: str = "mbtest") -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database; dropped on exit. For what a schema cannot
    give: a whole database (a backup), or one no other test's transaction shares (a VACUUM marks
    a page all-visible only when no open transaction in its database could still see older
    rows, and the test processes run side by side)."""
    base = make_url(normalize_database_url(PG_URL))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base.render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (no tables at all), private to this test: for the migration
    tests, which build and tear down the schema themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        with pg_schema() as url:
            yield url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate(f"sqlite:///{path}")
    # Fold any write-ahead log into the file, so a plain copy of it is the whole database.
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture(scope="session")
def postgresql_migrated() -> Iterator[str]:
    """A PostgreSQL schema migrated to head once per run; tests empty its tables."""
    with pg_schema() as url:
        migrate(url)
        yield url


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database whose schema the real Alembic migrations built.

    SQLite: a private copy of a file migrated once. PostgreSQL: one schema migrated once per run,
    its tables truncated (ids restarted) before each test, which is far cheaper than migrating a
    new schema per test and just as isolated for tests that do not change the schema.
    """
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        eng = make_engine(f"sqlite:///{path}")
    else:
        eng = make_engine(request.getfixturevalue("postgresql_migrated"))
        _truncate_all(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def use_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """Point the app's units of work (`run_db`, `run_read`, used by every state) at the test
    database. Reads use the same engine: on PostgreSQL the test schema lives in its settings."""
    import microblog.db

    monkeypatch.setattr(microblog.db, "get_engine", lambda: engine)
    monkeypatch.setattr(microblog.db, "get_read_engine", lambda: engine)
    return engine


@pytest.fixture
def sent_sql(use_engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the app sends to the test database, in order."""
    from sqlalchemy import event

    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(use_engine, "before_cursor_execute", record)
    yield sent
    event.remove(use_engine, "before_cursor_execute", record)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session


def _make_user(
    session: Session,
    username: str,
    email: str | None = None,
    password: str = "password123",  # noqa: S107
) -> User:
    """Register a user through the real service (argon2 and all), and flush it."""
    user = register_user(
        session,
        username=username,
        email=email or f"{username}@example.com",
        password=password,
        password2=password,
    )
    session.flush()
    return user


@pytest.fixture
def make_user() -> Callable[..., User]:
    """`make_user(session, username, email=None, password="password123")`."""
    return _make_user


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One real argon2 hash of "password123", computed once for users inserted in bulk."""
    return hash_password("password123")


@pytest.fixture
def add_user(password_hash: str) -> Callable[..., User]:
    """`add_user(session, username, email=None)`: a User row without the cost of hashing, for
    tests that need many users or do not care how they were registered."""

    def _add(session: Session, username: str, email: str | None = None) -> User:
        user = User(
            username=username,
            email=email or f"{username}@example.com",
            password_hash=password_hash,
        )
        session.add(user)
        session.flush()
        return user

    return _add


@pytest.fixture(autouse=True)
def _background_mail_settles() -> Iterator[None]:
    """Email work runs on background threads after a test's commits (password-reset requests,
    outbox drains): let it finish before the test's database and settings go away."""
    yield
    password_reset.settle()
    mail_outbox.settle()
    link_cards.settle()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1 (a free port) that keeps what it receives; see
    tests/smtp.py. Point MAIL_SERVER/MAIL_PORT at `.host`/`.port`."""
    with SmtpSink() as sink:
        yield sink
