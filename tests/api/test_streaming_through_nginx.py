"""The streaming API through the production nginx configuration (deploy/nginx, rendered by
`microblog.stack` as `make prod` renders it), run by a real nginx in front of a real worker
(granian): a WebSocket is upgraded and an event stream is passed on as it comes, unbuffered,
both carrying a post published through nginx. (The whole stack, build and browser included,
runs in tests/e2e/test_production.py; this needs no frontend build.)"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websocket

from microblog.config import PROJECT_ROOT
from microblog.stack.nginx import write_configs
from microblog.stack.settings import StackSettings
from tests.api.conftest import ApiServer, _database, register, serve_http_app
from tests.app_server import free_port, http_status, stop

WAIT = 15.0


@pytest.fixture(scope="module")
def behind_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx's public address, with one worker behind it."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed (make prod installs it)")
    work = tmp_path_factory.mktemp("nginx-stream")
    public_port, worker_port = free_port(), free_port()
    public = f"http://127.0.0.1:{public_port}"
    extra = {
        "PUBLIC_URL": public,
        "REFLEX_FRONTEND_PORT": str(public_port),
        "REFLEX_BACKEND_PORT": str(public_port),
        "TRUSTED_PROXY_HOPS": "1",
    }
    # Inside the project: nginx's workers (www-data when started as root) cannot enter
    # pytest's private temporary folder.
    run_dir = PROJECT_ROOT / "instance" / f"nginx-stream-{secrets.token_hex(4)}"
    stack = StackSettings(
        public_url=public,
        workers=1,
        first_port=worker_port,
        worker_host="127.0.0.1",
        upstream_host="127.0.0.1",
        listen_host="127.0.0.1",
        listen_port=public_port,
        web_dir=run_dir / "web",
        run_dir=run_dir,
        nginx=nginx,
        access_log="off",
        tls_certificate="",
        tls_certificate_key="",
        trusted_hops=1,
    )
    server: ApiServer
    with (
        _database("sqlite", work) as url,
        serve_http_app(url, work, extra, port=worker_port) as server,
    ):
        (run_dir / "web" / "build" / "client").mkdir(parents=True)
        config = write_configs(stack)
        log = (work / "nginx.log").open("w")
        process = subprocess.Popen(
            [nginx, "-c", str(config), "-e", "stderr"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_up(f"{public}/api/v1/streaming/health", process, work / "nginx.log")
            assert server.base != public
            yield public
        finally:
            stop(process)
            log.close()
            shutil.rmtree(run_dir, ignore_errors=True)


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while http_status(url) != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"nginx did not start:\n{log.read_text()}")
        time.sleep(0.1)  # polling a port until it answers


def test_a_websocket_and_an_event_stream_pass_through_nginx(behind_nginx: str) -> None:
    with httpx.Client(base_url=f"{behind_nginx}/api", timeout=30) as api:
        ann = register(api, "ann")
    public = httpx.Client(base_url=behind_nginx, timeout=30)
    ws_base = behind_nginx.replace("http", "ws", 1)
    ws = websocket.create_connection(
        f"{ws_base}/api/v1/streaming?stream=public&access_token={ann.token}"
    )
    try:
        with public.stream("GET", "/api/v1/streaming/public", headers=ann.headers) as sse:
            assert sse.status_code == 200 and sse.headers["server"] == "nginx"
            assert sse.headers["content-type"].startswith("text/event-stream")
            lines = sse.iter_lines()
            assert next(lines) == ":)"  # the first line, not held back in a buffer
            posted = public.post(
                "/api/v1/statuses", json={"status": "via nginx"}, headers=ann.headers
            )
            assert posted.status_code == 200, posted.text
            event = [next(lines) for _ in range(2)]
            assert event[0] == "event: update"
            assert json.loads(event[1].removeprefix("data: "))["id"] == posted.json()["id"]
        ws.settimeout(WAIT)
        frame = json.loads(ws.recv())
        assert frame["event"] == "update" and frame["stream"] == ["public"]
        assert json.loads(frame["payload"])["id"] == posted.json()["id"]
    finally:
        ws.close()
        public.close()
