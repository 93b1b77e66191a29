"""Browser tests against the real app: `reflex run` on free loopback ports with its own SQLite
database and build folders, driven by Playwright in Debian's headless Chromium.

The server is started once per test session and always stopped (its whole process group).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.app_server import CHROMIUM, CHROMIUM_ARGS, AppDidNotStart, free_port, serve_app
from tests.e2e import actions
from tests.fake_translator import FakeTranslator
from tests.smtp import SmtpSink

# Announcements are for ADMINS only; the server starts with this user's email among them.
ADMIN_USERNAME = f"chief{secrets.token_hex(3)}"


@dataclass
class RunningApp:
    frontend: str
    backend: str
    database_url: str
    cookie_name: str
    app_log: Path | None = None  # our own log (LOG_FILE)
    server_log: Path | None = None  # what `reflex run` printed

    def url(self, path: str) -> str:
        return f"{self.frontend}{path}"


def _migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "-m", "microblog", "migrate"], env=env, check=True)


@pytest.fixture(scope="session")
def app_mail() -> Iterator[SmtpSink]:
    """The real SMTP server the app under test sends its email to."""
    with SmtpSink() as sink:
        actions.mailbox = sink
        yield sink
        actions.mailbox = None


@pytest.fixture(scope="session")
def app_translator() -> Iterator[FakeTranslator]:
    """The Microsoft Translator stand-in (tests/fake_translator.py) the app under test calls."""
    with FakeTranslator() as translator:
        yield translator


@contextlib.contextmanager
def running_app(
    work: Path, *, env_mode: str = "dev", extra_env: Callable[[int], dict[str, str]]
) -> Iterator[RunningApp]:
    """`reflex run` on free loopback ports, with its own migrated SQLite database, its log
    (LOG_FILE) in `work`, and `extra_env(frontend_port)` (stopped when the block ends)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs it)")
    frontend_port = free_port()
    backend_port = frontend_port if env_mode == "prod" else free_port()
    database_url = f"sqlite:///{work / 'app.db'}"
    _migrate(database_url)
    try:
        with serve_app(
            database_url=database_url,
            frontend_port=frontend_port,
            backend_port=backend_port,
            work_dir=work,
            env_mode=env_mode,
            extra_env={"LOG_FILE": str(work / "app.log"), **extra_env(frontend_port)},
        ) as server:
            yield RunningApp(
                frontend=server.frontend,
                backend=server.backend,
                database_url=database_url,
                cookie_name=f"microblog_session_{frontend_port}",
                app_log=work / "app.log",
                server_log=server.log_path,
            )
    except AppDidNotStart as problem:
        pytest.fail(str(problem))


@pytest.fixture(scope="session")
def live_app(
    tmp_path_factory: pytest.TempPathFactory, app_mail: SmtpSink, app_translator: FakeTranslator
) -> Iterator[RunningApp]:
    work = tmp_path_factory.mktemp("live")

    def environment(frontend_port: int) -> dict[str, str]:
        return {
            "MICROBLOG_ENV": "test",
            "ADMINS": f"{ADMIN_USERNAME}@example.com",
            "MAIL_SERVER": app_mail.host,
            "MAIL_PORT": str(app_mail.port),
            "MAIL_TIMEOUT": "5",
            # An email queued while the SMTP server is down is retried within seconds.
            "MAIL_RETRY_SECONDS": "1",
            # Every test registers from 127.0.0.1.
            "API_REGISTER_RATE_LIMIT": "1000/3600",
            "MS_TRANSLATOR_KEY": app_translator.key,
            "MS_TRANSLATOR_REGION": app_translator.region,
            "MS_TRANSLATOR_ENDPOINT": app_translator.endpoint,
            # Post exports in the run's own folder, slowed so a test can watch the bar.
            "EXPORT_DIR": str(work / "exports"),
            "EXPORT_BATCH_SIZE": "100",
            "EXPORT_BATCH_PAUSE": "0.15",
            # Link previews reach pages the tests serve on loopback, and nothing else (the
            # test-only allowance: services/safe_fetch.py).
            "LINK_PREVIEWS": "1",
            "LINK_PREVIEW_TEST_LOOPBACK": "1",
            "MEDIA_DIR": str(work / "media"),
        }

    with running_app(work, extra_env=environment) as app:
        yield app


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, once per test session: Playwright's sync API runs one
    instance per process, so every module's browser is this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(autouse=True)
def closes_what_it_opened(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every browser context a test opened is closed when the test ends, whoever opened it. A
    page left open goes on working: a first paint without JavaScript animates its loading
    shimmer for ever, a live page keeps its websocket; a few dozen of them take most of a core
    from every test after them. Contexts a module's fixture holds were open before the test
    began (pytest sets up wider-scoped fixtures first), so they stay."""
    if "chromium" not in request.fixturenames:  # a test without the browser opens nothing
        yield
        return
    chromium: Browser = request.getfixturevalue("chromium")  # already started: session-scoped
    before = set(chromium.contexts)
    yield
    for context in chromium.contexts:
        if context not in before:
            context.close()


@pytest.fixture(scope="session")
def browser(live_app: RunningApp, chromium: Browser) -> Browser:
    """The browser of the tests against `live_app` (started first)."""
    return chromium


NewPage = Callable[[], "Page"]


@pytest.fixture
def new_page(browser: Browser, live_app: RunningApp) -> Iterator[NewPage]:
    """A factory of pages, each in its own browser context (its own cookies: another user)."""
    contexts = []

    def make() -> Page:
        context = actions.opened_on(browser.new_context(base_url=live_app.frontend), live_app)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database the tests may empty. CI sets TEST_REDIS_URL; without it, skip."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (CI sets it to the local Redis)")
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture(scope="session")
def live_pair(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str
) -> Iterator[list[RunningApp]]:
    """Two backends (each `reflex run` with its own ports) on one database and one Redis, as
    several workers behind a load balancer are: what one writes must reach the other's tabs."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs it)")
    work = tmp_path_factory.mktemp("pair")
    database_url = f"sqlite:///{work / 'pair.db'}"
    _migrate(database_url)
    # One cookie name for both, as one site's workers share one: a browser signed in through
    # one backend is signed in on the other.
    cookie_name = "microblog_session_pair"
    env = {
        "MICROBLOG_ENV": "test",
        "REDIS_URL": redis_url,
        "SESSION_COOKIE_NAME": cookie_name,
        "API_REGISTER_RATE_LIMIT": "1000/3600",
    }
    apps: list[RunningApp] = []
    try:
        with contextlib.ExitStack() as stack:
            for name in ("one", "two"):
                (work / name).mkdir()
                frontend_port, backend_port = free_port(), free_port()
                server = stack.enter_context(
                    serve_app(
                        database_url=database_url,
                        frontend_port=frontend_port,
                        backend_port=backend_port,
                        work_dir=work / name,
                        extra_env=env,
                    )
                )
                apps.append(
                    RunningApp(
                        frontend=server.frontend,
                        backend=server.backend,
                        database_url=database_url,
                        cookie_name=cookie_name,
                    )
                )
            yield apps
    except AppDidNotStart as problem:
        pytest.fail(str(problem))


@pytest.fixture
def browser_contexts(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """Pages on any base URL (for the two-backend tests), each in its own context."""
    contexts = []

    def make(base_url: str) -> Page:
        context = browser.new_context(base_url=base_url)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
