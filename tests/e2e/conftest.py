"""Browser tests against the real app: `reflex run` on free loopback ports with its own SQLite
database and build folders, driven by Playwright in Debian's headless Chromium.

The server is started once per test session and always stopped (its whole process group).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 240


@dataclass
class RunningApp:
    frontend: str
    backend: str
    database_url: str
    cookie_name: str

    def url(self, path: str) -> str:
        return f"{self.frontend}{path}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return response.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs it)")
    work = tmp_path_factory.mktemp("live")
    frontend_port, backend_port = _free_port(), _free_port()
    database_url = f"sqlite:///{work / 'e2e.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REFLEX_FRONTEND_PORT": str(frontend_port),
        "REFLEX_BACKEND_PORT": str(backend_port),
        # Its own build folders: a developer's `make run` on :3000 keeps working meanwhile.
        "REFLEX_WEB_WORKDIR": str(ROOT / f".web-{frontend_port}"),
        "REFLEX_STATES_WORKDIR": str(work / "states"),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "MICROBLOG_ENV": "test",
        # bun from the npm registry, as `make` installs it.
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run([sys.executable, "-m", "microblog", "migrate"], cwd=ROOT, env=env, check=True)
    log = (work / "reflex.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("reflex")), "run", "--loglevel", "info"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    frontend = f"http://localhost:{frontend_port}"
    backend = f"http://localhost:{backend_port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (_answers(f"{backend}/ping") and _answers(f"{frontend}/")):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "reflex run did not come up:\n" + (work / "reflex.log").read_text()[-4000:]
                )
            time.sleep(0.5)
        yield RunningApp(
            frontend=frontend,
            backend=backend,
            database_url=database_url,
            cookie_name=f"microblog_session_{frontend_port}",
        )
    finally:
        _stop(process)
        log.close()
        shutil.rmtree(ROOT / f".web-{frontend_port}", ignore_errors=True)


@pytest.fixture(scope="session")
def browser(live_app: RunningApp) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


NewPage = Callable[[], "Page"]


@pytest.fixture
def new_page(browser: Browser, live_app: RunningApp) -> Iterator[NewPage]:
    """A factory of pages, each in its own browser context (its own cookies: another user)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(base_url=live_app.frontend)
        context.set_default_timeout(30_000)
        # No internet here: Gravatar would only time out.
        context.route("**/*gravatar.com/**", lambda route: route.abort())
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
