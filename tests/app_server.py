"""Run the real app (`reflex run`), or the backend's HTTP app alone (granian), on loopback
ports, for tests and benchmarks.

One place knows how to start a second copy beside a developer's own (its own database, build and
state folders, bun from `.tools/`), how to tell it is up, and how to stop it with everything it
started. Also the flags that keep headless Chromium off the network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from microblog.config import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # No internet here: Gravatar images fail at once instead of hanging. A resolver rule, not
    # Playwright's request routing, which would turn the browser's HTTP cache off and make every
    # page load fetch every script again, unlike any real visitor's browser.
    "--host-resolver-rules=MAP *.gravatar.com ~NOTFOUND, MAP gravatar.com ~NOTFOUND",
]


class AppDidNotStart(RuntimeError):
    """`reflex run` exited or did not answer in time; the message ends with its log."""


@dataclass
class AppServer:
    frontend: str
    backend: str
    log_path: Path

    @property
    def frontend_port(self) -> int:
        return int(self.frontend.rsplit(":", 1)[1])

    @property
    def backend_port(self) -> int:
        return int(self.backend.rsplit(":", 1)[1])


def answers(url: str) -> bool:
    return http_status(url) == 200


PORT_BLOCK = 16
"""Ports are shared out between the test processes in blocks of this many (pytest-xdist)."""
_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    """The lowest port the system hands out by itself (bind to 0, outgoing connections)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def port_share(worker: str | None, workers: str | None) -> tuple[int, int]:
    """(this process's share, the number of shares): `gw1` of 2 workers is (1, 2); one
    process is (0, 1)."""
    if not worker or not workers or not worker.startswith("gw"):
        return 0, 1
    return int(worker[2:]), max(int(workers), 1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on, for a server a test starts.

    A port is often bound long after it is picked (a stack builds its frontend for a minute
    before nginx listens). So ports are picked below the range the system hands out by itself,
    where no server asking for port 0 and no outgoing connection can take one meanwhile; each
    test process takes only its own blocks of `PORT_BLOCK` (`port_share`), and never hands the
    same port out twice.
    """
    share, shares = port_share(
        os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    )
    top = _ephemeral_low()
    for port in range(max(top - 12_000, 1024), top):
        if port in _handed_out or (port // PORT_BLOCK) % shares != share:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port left below {top} for this test process")


def http_status(url: str) -> int | None:
    """The status a server answers `url` with, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback only)
            return response.status
    except urllib.error.HTTPError as answered:
        return answered.code
    except OSError:
        return None


class ServerDidNotStart(RuntimeError):
    """A server exited or did not answer in time; the message ends with its log, if kept."""


@dataclass
class AsgiServer:
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen


@contextmanager
def serve_asgi(
    factory: str,
    *,
    env: dict[str, str],
    ready_path: str = "/",
    log_path: Path | None = None,
    workers: int = 1,
    access_log: bool = True,
    start_timeout: float = 90,
    port: int | None = None,
) -> Iterator[AsgiServer]:
    """granian, the server `reflex run` uses, serving `factory` ("module:function") on a free
    127.0.0.1 port (or `port`, when the app must know its own address) until the block ends;
    then stopped with its workers. Up once `ready_path` answers with any status. Its output
    goes to `log_path` (or nowhere)."""
    port = port or free_port()
    command = [
        str(Path(sys.executable).with_name("granian")),
        *("--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)),
        *("--workers", str(workers), "--factory", factory),
        *(() if access_log else ("--no-access-log",)),
    ]
    with contextlib.ExitStack() as files:
        output = files.enter_context(log_path.open("w")) if log_path else subprocess.DEVNULL
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = AsgiServer(base=f"http://127.0.0.1:{port}", process=process)
        try:
            deadline = time.monotonic() + start_timeout  # a loaded 2-CPU machine is slow
            while http_status(server.base + ready_path) is None:
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = log_path.read_text(errors="replace")[-4000:] if log_path else ""
                    raise ServerDidNotStart(f"granian serving {factory} did not start\n{tail}")
                time.sleep(0.1)  # polling a port until it answers
            yield server
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop a server started in its own session (`reflex run`, granian) and everything it
    started (its process group)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
    # Children that outlived the leader are still in its group.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def app_env(
    *,
    database_url: str,
    frontend_port: int,
    backend_port: int,
    work_dir: Path,
    root: Path = PROJECT_ROOT,
) -> dict[str, str]:
    bun_bin = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REFLEX_FRONTEND_PORT": str(frontend_port),
        "REFLEX_BACKEND_PORT": str(backend_port),
        # Own build folders, as `make` does off port 3000: a dev server on :3000 keeps working.
        "REFLEX_WEB_WORKDIR": str(root / f".web-{frontend_port}"),
        "REFLEX_STATES_WORKDIR": str(work_dir / "states"),
        # Uploaded pictures go to the test's folder, not the project's instance/media.
        "MEDIA_DIR": str(work_dir / "media"),
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "PATH": f"{bun_bin}{os.pathsep}{os.environ.get('PATH', '')}",
    }


@contextmanager
def serve_app(
    *,
    database_url: str,
    frontend_port: int,
    backend_port: int,
    work_dir: Path,
    env_mode: str = "dev",
    start_timeout: float = 240,
    keep_build: bool = False,
    extra_env: dict[str, str] | None = None,
    root: Path = PROJECT_ROOT,
) -> Iterator[AppServer]:
    """Serve the app until the block ends. In prod mode one port serves both sides. `root` is
    the checkout whose code is served (another worktree, for a before/after comparison)."""
    if env_mode == "prod":
        backend_port = frontend_port
    env = app_env(
        database_url=database_url,
        frontend_port=frontend_port,
        backend_port=backend_port,
        work_dir=work_dir,
        root=root,
    )
    env.update(extra_env or {})
    web_dir = Path(env["REFLEX_WEB_WORKDIR"])
    made_web_dir = not web_dir.exists()
    reflex = Path(sys.executable).with_name("reflex")
    log_path = work_dir / "reflex.log"
    server = AppServer(
        frontend=f"http://localhost:{frontend_port}",
        backend=f"http://localhost:{backend_port}",
        log_path=log_path,
    )
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(reflex), "run", "--env", env_mode, "--loglevel", "info"],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + start_timeout
            while not (answers(f"{server.backend}/ping") and answers(f"{server.frontend}/")):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = log_path.read_text(errors="replace")[-4000:]
                    raise AppDidNotStart(f"reflex run did not come up:\n{tail}")
                time.sleep(0.5)
            yield server
        finally:
            stop(process)
            if made_web_dir and not keep_build:
                shutil.rmtree(web_dir, ignore_errors=True)


@contextmanager
def serve_reflex_backend(
    database_url: str, work_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[AsgiServer]:
    """The whole backend, `microblog.microblog:app` (HTTP routes, the websocket, the lifespan
    jobs), served by granian on a free loopback port as `reflex run --env prod` serves it: the
    pages are not compiled (`__REFLEX_SKIP_COMPILE`), so no frontend build or bun is needed.
    Talk to it over HTTP and, as a tab, over the raw websocket (tests/reflex_socket.py). No
    Redis unless `extra_env` names one; its output goes to `work_dir/backend.log`."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MICROBLOG_ENV": "test",
        "LOG_TO_STDOUT": "1",
        "REFLEX_STATES_WORKDIR": str(work_dir / "states"),
        "__REFLEX_SKIP_COMPILE": "true",
    }
    for name in ("REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "METRICS_TOKEN"):
        env.pop(name, None)
    env.update(extra_env or {})
    with serve_asgi(
        "microblog.microblog:app",
        env=env,
        ready_path="/ping",
        log_path=work_dir / "backend.log",
    ) as server:
        yield server
