"""The production stack, started as `make prod` starts it (`python -m microblog.stack run`):
nginx in front of two backend workers, PostgreSQL and Redis, driven through nginx only.

- PostgreSQL: the local server (TEST_DATABASE_URL's), in a fresh database this module creates
  and drops, reached through a TCP proxy of the test's (tests/tcp_proxy.py). Closing the proxy
  is how PostgreSQL "stops" for the /readyz test: new connections are refused and open ones
  cut, as a stopped server does, without stopping the machine's PostgreSQL other tests use.
- Redis: the local server (TEST_REDIS_URL's), database 13, emptied before and after.
- Everything listens on 127.0.0.1, and the module stops everything it started; the last test
  stops the stack with SIGINT (Ctrl-C) and checks that no process is left.

Which worker holds a tab's websocket is read where Reflex records it: in Redis, each tab token
maps to the instance id of the worker process that holds its socket.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import feedparser
import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from microblog.config import PROJECT_ROOT
from microblog.services.opengraph import parse_preview
from tests.app_server import CHROMIUM, PORT_BLOCK, free_port, http_status
from tests.conftest import PRODUCTION_TEST_REDIS_DB, pg_database
from tests.e2e.actions import new_name, post, signed_up, went_live
from tests.e2e.test_live import badge, send_message
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.browser

START_TIMEOUT = 900  # a first build installs the frontend's packages: minutes on a busy machine
TOKEN_LIMIT = 3  # API_TOKEN_RATE_LIMIT: token requests per client address and hour
BUN_BIN = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"
SOCKET_RECORD = "token_manager_socket_record_"


@dataclass
class Stack:
    url: str  # PUBLIC_URL: http://localhost:PORT
    process: subprocess.Popen[bytes]
    ports: list[int]  # the workers'
    log: Path
    redis_url: str
    proxy: TcpProxy
    media: Path  # MEDIA_DIR: the local picture store
    killed: set[int] = field(default_factory=set)

    def worker_pid(self, port: int) -> int | None:
        for pid in children_of(self.process.pid):
            argv = command_line(pid)
            if "worker" in argv and str(port) in argv:
                return pid
        return None

    def descendants(self) -> list[int]:
        found, todo = [], [self.process.pid]
        while todo:
            found += (new := children_of(todo.pop()))
            todo += new
        return found

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _two_free_ports() -> int:
    """A port p with p and p+1 free on 127.0.0.1 (the workers take consecutive ports)."""
    import socket

    for _ in range(50):
        first = free_port()
        if (first + 1) % PORT_BLOCK == 0:  # the next port is another test process's
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
        return first
    pytest.fail("no two consecutive free ports")


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{port}"))


@pytest.fixture(scope="module")
def services() -> tuple[str, str]:
    pg, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not pg or not redis_url:
        pytest.skip("TEST_DATABASE_URL and TEST_REDIS_URL not set (CI sets both)")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs it)")
    return pg, _with_db(redis_url, str(PRODUCTION_TEST_REDIS_DB))


@pytest.fixture(scope="module")
def database(services: tuple[str, str]) -> Iterator[str]:
    """A fresh PostgreSQL database on the local server, dropped at the end."""
    with pg_database("microblog_prod") as url:
        yield url


def _empty_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def stack(
    services: tuple[str, str], database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    redis_url = services[1]
    _empty_redis(redis_url)
    work = tmp_path_factory.mktemp("production")
    # The proxy takes its port first: a port picked and let go is free for the system to hand
    # out again, and once the proxy got the one picked for nginx (nginx could not bind, and the
    # site's address answered with the proxy's PostgreSQL).
    target = urlsplit(database)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.open()
    first_worker = _two_free_ports()
    public_port = free_port()
    while public_port in (first_worker, first_worker + 1):
        public_port = free_port()
    env = {
        **os.environ,
        "PUBLIC_URL": f"http://localhost:{public_port}",
        "LISTEN_HOST": "127.0.0.1",
        "WEB_WORKERS": "2",
        "WEB_WORKER_PORT": str(first_worker),
        "DATABASE_URL": _with_port(database, proxy.port),
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "STACK_RUN_DIR": str(work / "run"),
        # Kept between runs: the frontend's packages stay installed (the build itself is
        # redone, since PUBLIC_URL's port is part of its key).
        "REFLEX_WEB_WORKDIR": str(PROJECT_ROOT / ".web-prod-e2e"),
        "NGINX_ACCESS_LOG": "off",
        "API_REGISTER_RATE_LIMIT": "1000/3600",  # the browser registers from one address
        "API_TOKEN_RATE_LIMIT": f"{TOKEN_LIMIT}/3600",
        "PATH": f"{BUN_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
    }
    for name in ("MICROBLOG_ENV", "TRUSTED_PROXY_HOPS", "ELASTICSEARCH_URL", "MAIL_SERVER"):
        env.pop(name, None)
    # Inside the project (nginx's workers, as www-data, cannot enter pytest's private temp).
    media = PROJECT_ROOT / "instance" / f"e2e-media-{secrets.token_hex(4)}"
    env["MEDIA_DIR"] = str(media)
    log = work / "stack.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "microblog.stack", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Stack(
        url=env["PUBLIC_URL"],
        process=process,
        ports=[first_worker, first_worker + 1],
        log=log,
        redis_url=redis_url,
        proxy=proxy,
        media=media,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "stack: ready" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the stack did not start:\n{running.tail()}")
            time.sleep(0.5)  # polling the stack's output until it says it is ready
        yield running
    finally:
        leftovers = running.descendants() if process.poll() is None else []
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for pid in leftovers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        proxy.close()
        _empty_redis(redis_url)
        shutil.rmtree(media, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(stack: Stack, chromium: Browser) -> Browser:
    """The session's Chromium (tests/e2e/conftest.py), without the development server the
    other browser tests start."""
    return chromium


@pytest.fixture
def new_page(browser: Browser, stack: Stack) -> Iterator[Callable[[], Page]]:
    """Pages on the public address (nginx), each in its own context (its own cookies)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(base_url=stack.url)
        context.set_default_timeout(45_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def worker_of(stack: Stack, page: Page, timeout: float = 45) -> str:
    """The instance id of the worker that holds this tab's websocket (Reflex's record in
    Redis, under the tab's token, which the page keeps in sessionStorage)."""
    import redis

    client = redis.Redis.from_url(stack.redis_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            token = page.evaluate("window.sessionStorage.getItem('token')")
            record = client.get(f"{SOCKET_RECORD}{token}") if token else None
            if record is not None:
                return str(pickle.loads(record).instance_id)  # noqa: S301 (Reflex's own record)
            time.sleep(0.2)  # the record is written as the socket connects
    finally:
        client.close()
    pytest.fail("the tab's websocket was never recorded in Redis")


def on_another_worker(stack: Stack, page: Page, avoid: set[str], heading: str) -> str:
    """Reload `page` until its websocket is held by a worker not in `avoid`."""
    for _ in range(12):
        instance = worker_of(stack, page)
        if instance not in avoid:
            return instance
        page.reload()
        # Live again (the greeting is the live page's): on a loaded CI machine running two
        # test processes beside the stack, a reload has been seen to take over 5 s to go live.
        expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=20_000)
    pytest.fail(f"the tab never landed on another worker than {avoid}")


def test_register_log_in_and_post_through_nginx(new_page: Callable[[], Page]) -> None:
    alice = new_name("alice")
    page = signed_up(new_page(), alice)
    says = f"posted through nginx {secrets.token_hex(3)}"
    post(page, says)
    page.goto("/explore")
    expect(page.locator(".post", has_text=says)).to_be_visible()


def test_two_users_on_different_workers_see_each_other_live(
    stack: Stack, new_page: Callable[[], Page]
) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    on_a = worker_of(stack, page_a)
    on_b = on_another_worker(stack, page_b, {on_a}, f"Hi, {bob}!")
    assert on_a != on_b

    send_message(page_a, bob, "from the other worker")
    expect(badge(page_b, "messages")).to_have_text("1")
    page_a.goto("/explore")
    went_live(page_a)
    page_b.goto("/")
    post(page_b, f"new from {bob}")
    expect(page_a.get_by_role("button", name="Show 1 new post")).to_be_visible()


def _headers_ok(headers: httpx.Headers) -> None:
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "referrer-policy" in headers
    assert "strict-transport-security" not in headers  # plain http


def test_headers_statuses_and_caching_through_nginx(stack: Stack) -> None:
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        page = client.get("/explore", headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
        _headers_ok(page.headers)
        asset = re.search(r'src="(/assets/[^"]+\.js)"', page.text) or re.search(
            r'href="(/assets/[^"]+\.(?:js|css))"', page.text
        )
        assert asset is not None, "the page names no hashed asset"
        hashed = client.get(asset.group(1), headers={"Accept-Encoding": "gzip"})
        assert hashed.status_code == 200 and hashed.headers["server"] == "nginx"
        assert "immutable" in hashed.headers["cache-control"]
        assert hashed.headers["content-encoding"] == "gzip"
        _headers_ok(hashed.headers)  # nginx's own answer carries them too
        icon = client.get("/favicon.svg")
        assert icon.headers["cache-control"] == "no-cache"
        _headers_ok(icon.headers)

        for path in ("/no-such-page", f"/user/nobody{secrets.token_hex(2)}", "/post/987654321"):
            missing = client.get(path)
            assert missing.status_code == 404, path
            _headers_ok(missing.headers)
        api = client.get("/api/users/1")
        assert api.status_code == 401
        _headers_ok(api.headers)
        docs = client.get("/api/docs")
        assert docs.status_code == 200 and "/api/docs/static/swagger-ui-bundle.js" in docs.text
        assert client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["status"] == "ready"
        # The metrics are not the public's: through nginx, 403 without METRICS_TOKEN; on a
        # worker's own loopback port, they answer.
        assert client.get("/metrics").status_code == 403
    scraped = httpx.get(f"http://127.0.0.1:{stack.ports[1]}/metrics", timeout=30)
    assert scraped.status_code == 200 and "microblog_http_request_duration_seconds" in scraped.text

    # An uploaded picture of the local store: from disk by nginx, as the app would send it.
    name = hashlib.sha256(b"picture").hexdigest() + ".webp"
    (stack.media / name[:2]).mkdir(parents=True, exist_ok=True)
    (stack.media / name[:2] / name).write_bytes(b"RIFF-not-really-a-picture")
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        picture = client.get(f"/media/{name}")
        assert picture.status_code == 200 and picture.headers["server"] == "nginx"
        assert picture.content == b"RIFF-not-really-a-picture"
        assert picture.headers["content-type"] == "image/webp"
        assert "immutable" in picture.headers["cache-control"]
        assert picture.headers["content-security-policy"] == "default-src 'none'; sandbox"
        assert picture.headers["x-content-type-options"] == "nosniff"
        assert client.get(f"/media/{name[:-4]}php").status_code == 404

    # Another host name for the same server: sent to the public address, path kept.
    other = stack.url.replace("localhost", "127.0.0.1")
    answer = httpx.get(f"{other}/explore?page=2", timeout=30)
    assert answer.status_code == 308
    assert answer.headers["location"] == f"{stack.url}/explore?page=2"
    _headers_ok(answer.headers)


def test_feeds_previews_robots_sitemap_and_app_files_through_nginx(
    stack: Stack, new_page: Callable[[], Page]
) -> None:
    """What crawlers, feed readers and browsers ask the site for besides pages: nginx sends the
    icons itself, the workers the rest (none is a file of the build), and a profile's HTML
    carries its preview and its feeds (web/page_meta.py)."""
    ann = new_name("ann")
    says = f"through nginx to a feed {secrets.token_hex(3)}"
    post(signed_up(new_page(), ann), says)
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        profile = client.get(f"/user/{ann}")
        assert profile.status_code == 200
        preview = parse_preview(profile.text, page_url=str(profile.url))
        assert preview.canonical_url == f"{stack.url}/user/{ann}"
        assert f'href="{stack.url}/feeds/user/{ann}.atom"' in profile.text
        for kind in ("rss", "atom"):
            answer = client.get(f"/feeds/user/{ann}.{kind}")
            assert answer.headers["content-type"].startswith(f"application/{kind}+xml")
            feed = feedparser.parse(answer.content)
            assert not feed.bozo and says in feed.entries[0].get("summary", "") + "".join(
                part.value for part in feed.entries[0].get("content", [])
            )
            _headers_ok(answer.headers)
        assert client.get(f"/feeds/user/nobody{secrets.token_hex(2)}.rss").status_code == 404
        robots = client.get("/robots.txt")
        assert robots.status_code == 200 and f"Sitemap: {stack.url}/sitemap.xml" in robots.text
        assert f"{stack.url}/sitemaps/users-1.xml" in client.get("/sitemap.xml").text
        assert f"{stack.url}/user/{ann}</loc>" in client.get("/sitemaps/users-1.xml").text
        manifest = client.get("/manifest.webmanifest")
        assert manifest.headers["content-type"] == "application/manifest+json"
        assert manifest.json()["display"] == "standalone"
        for icon in ("/favicon.ico", "/icons/icon-512.png", "/icons/maskable-512.png"):
            answer = client.get(icon)
            assert answer.status_code == 200 and answer.headers["server"] == "nginx", icon


def _token_requests(stack: Stack, source: str, headers: dict[str, str] | None = None) -> int:
    """POST /api/tokens (no credentials) from `source` (a loopback address of its own, as
    another machine would be) through nginx; the status."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(base_url=stack.url, transport=transport, timeout=30) as client:
        return client.post("/api/tokens", headers=headers or {}).status_code


def test_the_api_rate_limit_counts_per_real_client_address(stack: Stack) -> None:
    """Two clients (two source addresses) each get their own limit; a client that forges
    X-Forwarded-For is still counted as itself, since only nginx's entry is believed."""
    first, second = "127.0.0.2", "127.0.0.3"
    assert [_token_requests(stack, first) for _ in range(TOKEN_LIMIT)] == [401] * TOKEN_LIMIT
    assert _token_requests(stack, first) == 429
    forged = {"X-Forwarded-For": "203.0.113.77"}
    assert _token_requests(stack, first, forged) == 429  # the forgery changes nothing
    assert _token_requests(stack, second) == 401  # another client: its own budget
    assert _token_requests(stack, second, forged) == 401


def test_a_killed_worker_is_not_missed_and_comes_back(
    stack: Stack, new_page: Callable[[], Page]
) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    on_a = worker_of(stack, page_a)
    on_b = on_another_worker(stack, page_b, {on_a}, f"Hi, {bob}!")

    port = stack.ports[0]
    pid = stack.worker_pid(port)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    stack.killed.add(pid)

    # The tab whose worker died reconnects to the other one (Reflex gives it a new token
    # there, since the dead worker's record of the old one stays in Redis for a while).
    deadline = time.monotonic() + 60
    while worker_of(stack, page_a) != worker_of(stack, page_b):
        assert time.monotonic() < deadline, "the tab did not reconnect to the other worker"
        time.sleep(0.3)  # polling Redis until the tab's socket is recorded there
    # Both tabs work on, still signed in: a post one way and a message the other arrive live.
    expect(page_a.get_by_role("heading", name=f"Hi, {alice}!")).to_be_visible()
    page_b.goto("/explore")
    went_live(page_b)
    post(page_a, f"after the kill {secrets.token_hex(2)}")
    expect(page_b.get_by_role("button", name="Show 1 new post")).to_be_visible()
    send_message(page_b, alice, "still here")
    expect(badge(page_a, "messages")).to_have_text("1")

    # The stack starts the worker again; new tabs reach it.
    deadline = time.monotonic() + 240
    while (stack.worker_pid(port) in (None, pid)) or http_status(
        f"http://127.0.0.1:{port}/healthz"
    ) != 200:
        assert time.monotonic() < deadline, f"the worker did not come back:\n{stack.tail()}"
        time.sleep(0.5)  # polling the restarted process until it answers
    carol = new_name("carol")
    page_c = signed_up(new_page(), carol)
    on_another_worker(stack, page_c, {on_a, on_b, worker_of(stack, page_a)}, f"Hi, {carol}!")
    post(page_c, f"from the restarted worker {secrets.token_hex(2)}")
    expect(page_c.locator(".post").first).to_be_visible()


def _ready(stack: Stack) -> httpx.Response:
    return httpx.get(f"{stack.url}/readyz", timeout=30)


def test_readyz_fails_while_postgresql_is_unreachable_and_recovers(stack: Stack) -> None:
    assert _ready(stack).status_code == 200
    stack.proxy.close()
    try:
        answer = _ready(stack)
        assert answer.status_code == 503, answer.text
        assert answer.json()["failed"] == ["database"]
        assert answer.json()["checks"]["redis"] == "ok"
        assert httpx.get(f"{stack.url}/healthz", timeout=30).status_code == 200  # alive
    finally:
        stack.proxy.open()
    deadline = time.monotonic() + 60
    while (answer := _ready(stack)).status_code != 200:
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.5)  # polling until the pool reconnects


def test_mastodon_streams_pass_through_nginx_from_either_worker(stack: Stack) -> None:
    """Mastodon's streaming API through nginx: two WebSockets (upgraded; least_conn puts them on
    the two workers) and an event stream (unbuffered) each carry a post made through nginx,
    whichever worker took it (the event crosses over Redis)."""
    import json

    import websocket

    name = new_name("streamer")
    password = "correct horse battery"
    transport = httpx.HTTPTransport(local_address="127.0.0.4")  # its own token budget
    with httpx.Client(base_url=stack.url, transport=transport, timeout=30) as client:
        created = client.post(
            "/api/users",
            json={"username": name, "email": f"{name}@example.com", "password": password},
        )
        assert created.status_code == 201, created.text
        token = client.post("/api/tokens", auth=(name, password)).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        ws_base = stack.url.replace("http", "ws", 1)
        ws_url = f"{ws_base}/api/v1/streaming?stream=public&access_token={token}"
        sockets = [websocket.create_connection(ws_url, timeout=30) for _ in range(2)]
        try:
            with client.stream("GET", "/api/v1/streaming/public", headers=headers) as sse:
                assert sse.status_code == 200 and sse.headers["server"] == "nginx"
                lines = sse.iter_lines()
                assert next(lines) == ":)"  # passed on at once, not buffered
                posted = client.post(
                    "/api/v1/statuses", json={"status": "streamed via nginx"}, headers=headers
                )
                assert posted.status_code == 200, posted.text
                status_id = posted.json()["id"]
                assert next(lines) == "event: update"
                assert json.loads(next(lines).removeprefix("data: "))["id"] == status_id
            for ws in sockets:
                frame = json.loads(ws.recv())
                assert (
                    frame["event"] == "update" and json.loads(frame["payload"])["id"] == status_id
                )
        finally:
            for ws in sockets:
                ws.close()


def test_ctrl_c_stops_nginx_and_every_worker(stack: Stack) -> None:
    """Last in this file: it stops the stack the tests above share."""
    children = stack.descendants()
    assert any("nginx" in " ".join(command_line(pid)) for pid in children)
    assert sum("worker" in command_line(pid) for pid in children) == 2
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=60) == 0
    deadline = time.monotonic() + 30
    while left := [pid for pid in children if alive(pid)]:
        assert time.monotonic() < deadline, f"left running: {[command_line(p) for p in left]}"
        time.sleep(0.2)  # the children exit just after the supervisor
    assert http_status(f"{stack.url}/healthz") is None  # nothing listens any more
