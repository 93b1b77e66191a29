"""Live-update benchmark: how fast a private message reaches the recipient's open page, and how
many connected tabs one backend worker holds while it keeps delivering live updates.

    python -m benchmarks.bench_live                          # in-process hub, one worker
    python -m benchmarks.bench_live --hub redis              # app with REDIS_URL (Redis hub)
    python -m benchmarks.bench_live --clients 1000 2000 4000 --json /tmp/live.json

It starts the real app (`reflex run`, the production build by default: the dev server restarts
its worker whenever any file in the checkout changes, which drops every tab mid-run) on its own
ports with a fresh, migrated SQLite database and its own build and state folders, with one
backend worker, and stops it at the end.

1. Delivery latency. The recipient is logged in once in headless Chromium and sits on the home
   page. Each round sends one private message and times it until the navbar badge
   (aria-label "unread messages") shows the expected unread count. With the in-process hub
   (the default), only a publish made inside the app process reaches its tabs, so the sender is
   a second browser context submitting the /messages/<recipient> form, and the clock starts
   at the form's submit event. With `--hub redis` the app runs with REDIS_URL, and the benchmark
   sends with `messages.send_message` in its own process, publishing through a `RedisHub` on the
   app's channel; the clock starts just before that call. Either way the clock stops when a
   MutationObserver in the recipient's page sees the badge text change, so neither Playwright's
   polling nor this process's event loop is in the figure.
2. Clients per worker. Many simulated tabs connect to the one backend worker over Reflex's own
   websocket protocol (Engine.IO 4 / Socket.IO 5 at /_event, the hydrate event in the CONNECT
   payload, the user's session cookie in the handshake), each a logged-in user on a page whose
   on_load ends with `LiveState.connect`. An admin's tab then publishes announcements through the
   app, and every tab's arrival time of the delta that carries the banner is recorded. The
   backend worker's RSS is read from /proc before and after connecting.
3. Like fan-out (tabs on /explore, the default). Every tab shows the one post in the database;
   the admin's second tab likes and unlikes it through the app (`toggle_like`, as the button
   does), and the new count's arrival at every tab is timed: each gets POST_CHANGED and
   re-reads the card for its own reader, so this is the cost of a popular post's counter.

Results: docs/live-performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.db import make_engine, session_scope
from microblog.live import hub as live_hub
from microblog.models import MESSAGE_MAX
from microblog.services import (
    announcements,
    auth_sessions,
    conversations,
    messages,
    notifications,
    posts,
    users,
)
from tests.app_server import CHROMIUM, CHROMIUM_ARGS, AppDidNotStart, AppServer, serve_app

PASSWORD = "live bench password"  # noqa: S105 (throwaway accounts in a temporary database)
RECIPIENT = "reader"
SENDER = "writer"
ADMIN = "herald"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
GOAL_P95_MS = 250.0
GOAL_CLIENTS = 1000
# The badge counts up during browser-sent rounds; reset it before it reaches the 99+ cap.
RESET_EVERY = 50


# --------------------------------------------------------------------------- figures


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 200 samples is the 190th smallest)."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Figure:
    group: str
    name: str
    samples: list[float] = field(repr=False)
    note: str = ""
    missed: int = 0  # updates that never arrived (within the timeout)

    def pct(self, pct: float) -> float:
        return percentile(self.samples, pct) if self.samples else float("nan")

    def line(self) -> str:
        return (
            f"  {self.name:<58} n={len(self.samples):<5} p50 {self.pct(50):8.1f}  "
            f"p95 {self.pct(95):8.1f}  p99 {self.pct(99):8.1f}  max {self.pct(100):8.1f} ms"
            f"  {self.note}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "name": self.name,
            "note": self.note,
            "n": len(self.samples),
            "missed": self.missed,
            **{f"p{p}_ms": round(self.pct(p), 2) for p in (50, 95, 99)},
            "max_ms": round(self.pct(100), 2),
        }


@dataclass
class Report:
    """Everything the run measured, for the summary and --json."""

    settings: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print(figure.line(), flush=True)
        return figure


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# --------------------------------------------------------------------------- processes


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        # As servers do: a just-stopped run's TIME_WAIT connections do not block the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{inode}]")
    return inodes


def _parent(pid: int) -> int:
    # /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def backend_worker_pid(port: int) -> int:
    """The process that serves the backend port. The process manager (gunicorn or granian) and
    its worker both hold the listening socket; the worker is the holder whose parent is also a
    holder. Read from /proc because psutil is not installed here."""
    inodes = _listening_inodes(port)
    holders: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                holders.append(int(entry.name))
    if not holders:
        raise RuntimeError(f"No process listens on port {port}")
    children = [pid for pid in holders if _parent(pid) in holders]
    return (children or holders)[0]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_fds(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def folder_mib(path: Path) -> float:
    if not path.exists():
        return 0.0
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def raise_open_file_limit() -> int:
    """Each simulated tab is a socket here and in the server (which inherits this limit through
    `reflex run`), so lift the soft limit to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --------------------------------------------------------------------------- data


@dataclass
class Person:
    user_id: int
    username: str
    session_token: str = ""


@contextlib.contextmanager
def one_password_hash() -> Iterator[None]:
    """Register the simulated users with one precomputed (real) Argon2 hash of PASSWORD: hashing
    takes ~0.1 s per user here, which would spend minutes on thousands of accounts that never
    type their password (they get their sessions below)."""
    real = users.hash_password
    shared = real(PASSWORD)
    users.hash_password = lambda _password: shared  # type: ignore[assignment]
    try:
        yield
    finally:
        users.hash_password = real  # type: ignore[assignment]


def create_people(engine: Engine, names: list[str]) -> list[Person]:
    """Register accounts through the service (its validation and all), 500 per transaction."""
    people: list[Person] = []
    with one_password_hash():
        for start in range(0, len(names), 500):
            with session_scope(engine) as db:
                for name in names[start : start + 500]:
                    user = users.register_user(
                        db,
                        username=name,
                        email=f"{name}@example.com",
                        password=PASSWORD,
                        password2=PASSWORD,
                    )
                    db.flush()
                    people.append(Person(user.id or 0, name))
    return people


def open_sessions(engine: Engine, people: list[Person]) -> None:
    """Log each person in the way the login form does: a ticket, redeemed for a session token,
    which the browser would then hold in its HttpOnly cookie."""
    with session_scope(engine) as db:
        for person in people:
            ticket = auth_sessions.issue_login_ticket(
                db, user_id=person.user_id, remember=True, next_path="/"
            )
            redeemed = auth_sessions.redeem_login_ticket(
                db, ticket=ticket, remember_days=1, default_hours=12
            )
            assert redeemed is not None
            person.session_token = redeemed[0]


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "-m", "microblog", "migrate"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def cookie_name(frontend_port: int) -> str:
    """The session cookie name the app uses on this port (`config._default_cookie_name`)."""
    if os.environ.get("SESSION_COOKIE_NAME"):
        return os.environ["SESSION_COOKIE_NAME"]
    return "microblog_session" if frontend_port == 3000 else f"microblog_session_{frontend_port}"


# --------------------------------------------------------------------------- simulated tabs


@dataclass
class Protocol:
    """What a Reflex 0.10 frontend sends, as read in reflex_base/.templates/web/utils/state.js
    and handled by EventNamespace.on_connect in reflex/app.py."""

    host: str
    port: int
    origin: str
    cookie: str  # cookie name
    namespace: str = "/_event"
    root_state: str = field(default_factory=lambda: _reflex_names()[0])
    reflex_version: str = field(default_factory=lambda: _reflex_names()[1])

    @staticmethod
    def event(name: str, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        found: dict[str, Any] = {"name": name, "router_data": {"pathname": path, "asPath": path}}
        if payload:
            found["payload"] = payload
        return found

    def hydrate(self, path: str) -> dict[str, Any]:
        # `initialEvents()` in the compiled context.js: one hydrate_and_load event; the backend
        # sends the state, then runs the page's on_load handlers (ours end in LiveState.connect).
        # Without `hashes` (a reconnect's form) the backend returns the full state.
        return self.event(f"{self.root_state}.hydrate_and_load", path)


def _reflex_names() -> tuple[str, str]:
    """(root state's full name, Reflex version): the frontend sends the version as the websocket
    subprotocol, and names every event after its state."""
    import reflex as rx
    from reflex_base import constants

    return rx.State.get_full_name(), constants.Reflex.VERSION


class SimTab:
    """One browser tab as the backend sees it: a websocket to /_event that hydrates a page with
    the user's session cookie and then receives state deltas. Frames are only matched against
    the strings a measurement waits for (no JSON parsing), so thousands fit in one process."""

    HYDRATED = '"is_hydrated_rx_state_":true'

    def __init__(self, protocol: Protocol, person: Person, path: str) -> None:
        self.protocol = protocol
        self.person = person
        self.path = path
        self.token = str(uuid.uuid4())  # the per-tab client token (sessionStorage in a browser)
        self.frames = 0
        self.connected = False
        self.closed = False
        self._writer: asyncio.StreamWriter | None = None
        self._ws: Any = None
        self._reader_task: asyncio.Task | None = None
        self._watches: list[tuple[str, asyncio.Future[float]]] = []
        self._partial: list[str] = []

    def watch(self, needle: str) -> asyncio.Future[float]:
        """A future set to the perf_counter time of the first frame that contains `needle`."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._watches.append((needle, future))
        return future

    async def connect(self, timeout: float) -> float:
        """Open the socket and hydrate the page; returns seconds until on_load finished."""
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import Request

        started = time.perf_counter()
        # Visitors get announcements too: make sure the cookie made this tab its user's.
        signed_in = self.watch(f'"user_name_rx_state_":"{self.person.username}"')
        hydrated = self.watch(self.HYDRATED)
        reader, self._writer = await asyncio.open_connection(self.protocol.host, self.protocol.port)
        self._ws = WSConnection(ConnectionType.CLIENT)
        target = f"{self.protocol.namespace}/?EIO=4&transport=websocket&token={self.token}"
        headers = [
            (b"cookie", f"{self.protocol.cookie}={self.person.session_token}".encode()),
            (b"origin", self.protocol.origin.encode()),
            (b"user-agent", b"bench_live"),
        ]
        self._writer.write(
            self._ws.send(
                Request(
                    host=f"localhost:{self.protocol.port}",
                    target=target,
                    extra_headers=headers,
                    subprotocols=[self.protocol.reflex_version],
                )
            )
        )
        self._reader_task = asyncio.create_task(self._read(reader))
        try:
            await asyncio.wait_for(hydrated, timeout)
            if not signed_in.done():
                raise ConnectionError(f"the tab of {self.person.username} is not signed in")
        except BaseException:
            await self.close()
            raise
        return time.perf_counter() - started

    def _send_text(self, text: str) -> None:
        from wsproto.events import Message

        if self._writer is not None and not self.closed:
            self._writer.write(self._ws.send(Message(data=text)))

    def emit(self, event: dict[str, Any]) -> None:
        """Send a Reflex event, as `socket.emit("event", ...)` does in the browser."""
        self._send_text(f"42{self.protocol.namespace}," + json.dumps(["event", event]))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        from wsproto.events import (
            AcceptConnection,
            CloseConnection,
            Ping,
            RejectConnection,
            TextMessage,
        )

        try:
            while data := await reader.read(65536):
                at = time.perf_counter()
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, TextMessage):
                        self._partial.append(event.data)
                        if event.message_finished:
                            self._on_packet("".join(self._partial), at)
                            self._partial.clear()
                    elif isinstance(event, Ping):
                        assert self._writer is not None
                        self._writer.write(self._ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        return
                    elif isinstance(event, RejectConnection):
                        raise ConnectionError(f"websocket refused: HTTP {event.status_code}")
                    elif isinstance(event, AcceptConnection):
                        pass
        except (ConnectionError, OSError) as problem:
            self._fail(problem)
        finally:
            self.closed = True
            self._fail(ConnectionError("socket closed"))

    def _on_packet(self, packet: str, at: float) -> None:
        namespace = self.protocol.namespace
        if packet == "2":  # Engine.IO ping: answer or the server drops us after pingTimeout
            self._send_text("3")
        elif packet.startswith("0"):  # Engine.IO open: connect the namespace, hydrate inside
            auth = {"event": self.protocol.hydrate(self.path)}
            self._send_text(f"40{namespace}," + json.dumps(auth))
        elif packet.startswith(f"40{namespace},"):
            self.connected = True
        elif packet.startswith(f"44{namespace},"):
            self._fail(ConnectionError(f"namespace connect refused: {packet[:200]}"))
        elif packet.startswith(f"42{namespace},"):
            self.frames += 1
            if self._watches:
                waiting = []
                for needle, future in self._watches:
                    if future.done():
                        continue
                    if needle in packet:
                        future.set_result(at)
                    else:
                        waiting.append((needle, future))
                self._watches = waiting

    def _fail(self, problem: BaseException) -> None:
        for _needle, future in self._watches:
            if not future.done():
                future.set_exception(problem)
        self._watches = []

    async def close(self) -> None:
        if self._writer is not None and not self.closed:
            self._send_text(f"41{self.protocol.namespace},")
            self.closed = True
            self._writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._writer.wait_closed(), 2)
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(BaseException):
                await self._reader_task


# --------------------------------------------------------------------------- the browser side

# Installed in the recipient's page: log every change of the badge text with the page's clock
# (epoch ms), from a MutationObserver, i.e. when the DOM changes, before the next paint.
BADGE_OBSERVER_JS = """() => {
  const read = () =>
    document.querySelector('[aria-label="unread messages"]')?.textContent ?? '';
  let last = read();
  window.__badgeLog = [{text: last, t: performance.timeOrigin + performance.now()}];
  new MutationObserver(() => {
    const now = read();
    if (now !== last) {
      last = now;
      window.__badgeLog.push({text: now, t: performance.timeOrigin + performance.now()});
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""

# Whether the badge shows `want` now.
BADGE_IS_JS = "(want) => window.__badgeLog[window.__badgeLog.length - 1].text === want"

# The time the badge first showed `want` after `since` (epoch ms), or false while it has not.
BADGE_SHOWN_JS = """([want, since]) => {
  const hit = window.__badgeLog.find((e) => e.text === want && e.t >= since);
  return hit ? hit.t : false;
}"""

# Installed in the sender's page: when the send form is submitted (epoch ms).
SUBMIT_STAMP_JS = """() => {
  document.addEventListener('submit', () => {
    window.__submittedAt = performance.timeOrigin + performance.now();
  }, true);
}"""

NOW_JS = "() => performance.timeOrigin + performance.now()"


async def log_in(page: Any, frontend: str, username: str) -> None:
    """Sign in through the login form; the dev server compiles a page on its first visit, and
    the form may not be live yet on the first try."""
    for attempt in range(3):
        await page.goto("/login?next=%2F", timeout=300_000)
        await page.wait_for_load_state("networkidle", timeout=300_000)
        await page.get_by_label("Username or email").fill(username)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign In").click()
        try:
            await page.wait_for_url(lambda url: url.rstrip("/") == frontend, timeout=60_000)
            heading = page.get_by_role("heading", name=f"Hi, {username}!")
            await heading.wait_for(timeout=60_000)
            return
        except Exception:  # the form may not have been live yet: try again
            print(f"  login attempt {attempt + 1} as {username} did not land on / ({page.url})")
    raise RuntimeError(f"Could not log in as {username}")


async def page_clock_offset(page: Any) -> tuple[float, float]:
    """(page clock - this process's time.time(), in ms; uncertainty in ms). The page stamps the
    badge with its own clock; the service sender stamps with time.time()."""
    best: tuple[float, float] | None = None
    for _ in range(20):
        before = time.time() * 1000
        page_now = await page.evaluate(NOW_JS)
        after = time.time() * 1000
        sample = (page_now - (before + after) / 2, (after - before) / 2)
        if best is None or sample[1] < best[1]:
            best = sample
    assert best is not None
    return best


class Browser:
    """The recipient's tab (and, with the in-process hub, the sender's) in headless Chromium."""

    def __init__(self, server: AppServer, recipient: str, sender: str | None) -> None:
        self.server = server
        self.recipient_name = recipient
        self.sender_name = sender
        self.recipient: Any = None
        self.sender: Any = None
        self._playwright: Any = None
        self._browser: Any = None

    async def __aenter__(self) -> Browser:
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            await self._open_pages()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def _open_pages(self) -> None:
        self.recipient = await self._new_page()
        await log_in(self.recipient, self.server.frontend, self.recipient_name)
        await self.recipient.evaluate(BADGE_OBSERVER_JS)
        if self.sender_name:
            self.sender = await self._new_page()
            await log_in(self.sender, self.server.frontend, self.sender_name)
            await self.sender.goto(f"/messages/{self.recipient_name}")
            await self.sender.get_by_label("Message").wait_for(timeout=300_000)
            await self.sender.evaluate(SUBMIT_STAMP_JS)

    async def _new_page(self) -> Any:
        context = await self._browser.new_context(base_url=self.server.frontend)
        context.set_default_timeout(30_000)
        return await context.new_page()

    async def __aexit__(self, *_exc: object) -> None:
        with contextlib.suppress(Exception):
            await self._browser.close()
        with contextlib.suppress(Exception):
            await self._playwright.stop()

    async def badge_is(self, want: str, timeout: float = 30_000) -> None:
        await self.recipient.wait_for_function(BADGE_IS_JS, arg=want, timeout=timeout)

    async def reload_recipient(self) -> None:
        """After a missed update: load the page afresh (it re-reads the truth) and observe."""
        await self.recipient.reload()
        await self.recipient.get_by_role("heading", name=f"Hi, {self.recipient_name}!").wait_for()
        await self.recipient.evaluate(BADGE_OBSERVER_JS)

    async def badge_shown(self, want: str, since: float, timeout: float = 30_000) -> float:
        """Wait (in the page) until the badge showed `want` after `since`; its page time."""
        handle = await self.recipient.wait_for_function(
            BADGE_SHOWN_JS, arg=[want, since], timeout=timeout
        )
        return float(await handle.json_value())

    async def send_from_browser(self, body: str) -> tuple[float, float]:
        """Type and submit the send-message form: (page time of the submit event,
        time.perf_counter() when the click was issued)."""
        page = self.sender
        await page.get_by_label("Message").fill(body)
        # The draft reached the state (one round trip), so the click times the send alone.
        left = f"{MESSAGE_MAX - len(body)} characters left"
        await page.locator(".chars-left", has_text=left).wait_for()
        await page.evaluate("() => { window.__submittedAt = null; }")
        clicked = time.perf_counter()
        await page.get_by_role("button", name="Send").click()
        submitted = await page.evaluate("() => window.__submittedAt")
        if submitted is None:
            raise RuntimeError("the click did not submit the send-message form")
        return float(submitted), clicked

    async def sender_settled(self) -> None:
        """The send handler finished (it clears the draft): the next round starts clean."""
        await self.sender.locator(".chars-left", has_text=f"{MESSAGE_MAX} characters").wait_for()


# --------------------------------------------------------------------------- 1. latency


@dataclass
class LatencySetup:
    engine: Engine
    recipient: Person
    sender: Person
    mode: str  # "browser" or "service"


def _send_in_db(engine: Engine, sender: Person, recipient: str, body: str) -> None:
    with session_scope(engine) as db:
        messages.send_message(db, sender_id=sender.user_id, recipient_username=recipient, body=body)


def _mark_read(engine: Engine, person: Person) -> None:
    with session_scope(engine) as db:
        conversations.mark_all_read(db, user_id=person.user_id)


def _unread(engine: Engine, person: Person) -> int:
    with Session(engine) as db:
        return conversations.unread_message_count(db, user_id=person.user_id)


async def measure_latency(
    browser: Browser, setup: LatencySetup, rounds: int, warmup: int, label: str
) -> list[Figure]:
    """Send `rounds` messages one after the other, each timed to the recipient's badge. A round
    whose badge never shows the expected count within 30 s is counted as missed."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    engine, recipient = setup.engine, setup.recipient
    in_page: list[float] = []
    seen_here: list[float] = []
    cleared: list[float] = []
    missed = 0
    offset, uncertainty = await page_clock_offset(browser.recipient)
    if setup.mode == "service":
        await asyncio.to_thread(_mark_read, engine, recipient)
        await browser.badge_is("")
    # With the browser sender the badge counts up from what the page shows now.
    unread = await asyncio.to_thread(_unread, engine, recipient)
    for i in range(warmup + rounds):
        body = f"ping {label} {i} {secrets.token_hex(4)}"
        try:
            if setup.mode == "browser":
                if unread >= RESET_EVERY:
                    # Marked read from here, no event reaches the app: the badge keeps showing
                    # the old count until the next message makes the tab re-read, and shows 1.
                    await asyncio.to_thread(_mark_read, engine, recipient)
                    unread = 0
                sent_at, clicked = await browser.send_from_browser(body)
                unread += 1
                shown_at = await browser.badge_shown(str(unread), sent_at)
                observed = time.perf_counter()
                await browser.sender_settled()
            else:
                clicked = time.perf_counter()
                sent_at = time.time() * 1000 + offset
                await asyncio.to_thread(_send_in_db, engine, setup.sender, recipient.username, body)
                shown_at = await browser.badge_shown("1", sent_at)
                observed = time.perf_counter()
                # Mark read (this publishes too) and wait for the badge to go before the next.
                marked_at = time.time() * 1000 + offset
                await asyncio.to_thread(_mark_read, engine, recipient)
                gone_at = await browser.badge_shown("", marked_at)
                if i >= warmup:
                    cleared.append(gone_at - marked_at)
        except PlaywrightTimeout:
            missed += 1
            log = await browser.recipient.evaluate("() => window.__badgeLog.slice(-3)")
            in_db = await asyncio.to_thread(_unread, engine, recipient)
            print(
                f"  round {i}: the badge did not show the message within 30 s "
                f"(expected {unread}, database {in_db}, page's last changes {log})",
                flush=True,
            )
            await asyncio.to_thread(_mark_read, engine, recipient)
            await browser.reload_recipient()
            unread = 0
            if setup.mode == "browser":
                await browser.sender_settled()
            continue
        if i >= warmup:
            in_page.append(shown_at - sent_at)
            seen_here.append((observed - clicked) * 1000)
    start = "form submit" if setup.mode == "browser" else "send_message() call"
    note = f"missed {missed}"
    if setup.mode == "service":
        note += f"; clock offset ±{uncertainty:.1f} ms"
    figures = [
        Figure("latency", f"{label}: {start} -> badge in DOM", in_page, note, missed),
        Figure("latency", f"{label}: same, seen by Playwright (upper bound)", seen_here),
    ]
    if cleared:
        figures.append(Figure("latency", f"{label}: mark read -> badge gone", cleared, note))
    return figures


# --------------------------------------------------------------------------- 2. clients


async def connect_tabs(
    protocol: Protocol, people: list[Person], path: str, concurrency: int, timeout: float
) -> tuple[list[SimTab], list[float], int]:
    """Connect one tab per person, `concurrency` handshakes at a time (the listen backlog and
    the worker's thread pool would otherwise queue them all at once)."""
    gate = asyncio.Semaphore(concurrency)
    tabs: list[SimTab] = []
    took: list[float] = []
    failed = 0

    async def one(person: Person) -> None:
        nonlocal failed
        async with gate:
            tab = SimTab(protocol, person, path)
            try:
                took.append(await tab.connect(timeout) * 1000)
                tabs.append(tab)
            except (TimeoutError, ConnectionError, OSError, AssertionError) as problem:
                failed += 1
                if failed <= 3:
                    print(f"  tab for {person.username} failed: {problem!r}", flush=True)

    await asyncio.gather(*(one(p) for p in people))
    return tabs, took, failed


async def broadcast(
    admin: SimTab, tabs: list[SimTab], number: int, timeout: float
) -> tuple[list[float], int, float]:
    """Publish one announcement from the admin's tab (through the app, as the form does) and
    time its arrival at every tab: (per-tab ms, tabs that missed it, ms until the last one)."""
    from microblog.state.announcements import AnnouncementsState

    marker = f"livebench{number}x{secrets.token_hex(4)}"
    state = AnnouncementsState.get_full_name()
    echoed = admin.watch(marker)
    admin.emit(Protocol.event(f"{state}.set_draft", "/announcements", {"value": marker}))
    await asyncio.wait_for(echoed, timeout)  # the draft is in the admin's state
    arrivals = [tab.watch(marker) for tab in tabs]
    started = time.perf_counter()
    admin.emit(Protocol.event(f"{state}.publish", "/announcements", {"_form": {}}))
    done, pending = await asyncio.wait(arrivals, timeout=timeout)
    for future in pending:
        future.cancel()
    latencies = [(f.result() - started) * 1000 for f in done if f.exception() is None]
    missed = len(tabs) - len(latencies)
    return latencies, missed, max(latencies, default=float("nan"))


def _shared_post(engine: Engine, author: Person) -> int:
    """The one post every simulated tab on /explore shows (the benchmark's database has no
    other), so a like on it reaches every tab as POST_CHANGED."""
    with session_scope(engine) as db:
        post = posts.create_post(db, author_id=author.user_id, body="a post everyone sees")
        db.flush()
        assert post.id is not None
        return post.id


async def like_fanout(
    liker: SimTab, tabs: list[SimTab], post_id: int, count: int, timeout: float
) -> tuple[list[float], int, float]:
    """Like (or unlike, alternately) the shared post from the liker's tab, through the app as
    the Like button does, and time the new count's arrival at every other tab: each receives
    POST_CHANGED and re-reads the card for its own reader (state/post_cards.py)."""
    from microblog.state.feed import FeedState

    arrivals = [tab.watch(f'"like_count":{count}') for tab in tabs]
    started = time.perf_counter()
    handler = f"{FeedState.get_full_name()}.toggle_like"
    liker.emit(Protocol.event(handler, "/explore", {"post_id": post_id}))
    done, pending = await asyncio.wait(arrivals, timeout=timeout)
    for future in pending:
        future.cancel()
    latencies = [(f.result() - started) * 1000 for f in done if f.exception() is None]
    return latencies, len(tabs) - len(latencies), max(latencies, default=float("nan"))


def _send_to_each(engine: Engine, sender: Person, people: list[Person]) -> float:
    """One private message to each person in one transaction: one commit, then one live event
    per recipient through the Redis hub. Returns the seconds the transaction took."""
    started = time.perf_counter()
    with session_scope(engine) as db:
        for person in people:
            messages.send_message(
                db, sender_id=sender.user_id, recipient_username=person.username, body="hi"
            )
    return time.perf_counter() - started


async def per_user_messages(
    engine: Engine, sender: Person, tabs: list[SimTab], timeout: float
) -> tuple[list[float], int, float]:
    """Each tab's user gets a message of their own (N events, not one)."""
    arrivals = [tab.watch('"messages_badge_rx_state_":"1"') for tab in tabs]
    started = time.perf_counter()
    commit_s = await asyncio.to_thread(_send_to_each, engine, sender, [t.person for t in tabs])
    done, pending = await asyncio.wait(arrivals, timeout=timeout)
    for future in pending:
        future.cancel()
    latencies = [(f.result() - started) * 1000 for f in done if f.exception() is None]
    return latencies, len(tabs) - len(latencies), commit_s * 1000


async def measure_clients(
    args: argparse.Namespace,
    protocol: Protocol,
    people: list[Person],
    admin: Person,
    engine: Engine,
    states_dir: Path,
    report: Report,
    shared_post: int,
) -> list[SimTab]:
    """Connect tabs in steps up to each total in --clients; at each step read the worker's RSS
    and time announcements, and likes of the post they all show, to all of them. Returns the
    connected tabs (closed by the caller)."""
    worker = backend_worker_pid(protocol.port)
    admin_tab = SimTab(protocol, admin, "/announcements")
    await admin_tab.connect(args.connect_timeout)
    liker_tab = SimTab(protocol, admin, "/explore")
    await liker_tab.connect(args.connect_timeout)
    like_count = 0
    await asyncio.sleep(2)  # let the worker settle after the browser part
    base_rss = rss_mib(worker)
    print(
        f"\nBackend worker pid {worker}: RSS {base_rss:.1f} MiB with the browser tabs and the "
        f"admin's tab connected; {open_fds(worker)} open files.",
        flush=True,
    )
    report.facts["rss_base_mib"] = round(base_rss, 1)
    if args.hub == "redis":
        report.facts["redis_base"] = redis_usage(args.redis_url)
    tabs: list[SimTab] = []
    steps: list[dict[str, Any]] = []
    for total in args.clients:
        wanted = people[len(tabs) : total]
        started = time.perf_counter()
        new, took, failed = await connect_tabs(
            protocol, wanted, args.path, args.connect_concurrency, args.connect_timeout
        )
        tabs += new
        connect_s = time.perf_counter() - started
        await asyncio.sleep(3)
        rss = rss_mib(worker)
        alive = sum(1 for t in tabs if not t.closed)
        per_tab_kib = (rss - base_rss) * 1024 / max(1, len(tabs))
        step: dict[str, Any] = {
            "tabs": len(tabs),
            "alive": alive,
            "failed": failed,
            "connect_s": round(connect_s, 1),
            "rss_mib": round(rss, 1),
            "rss_per_tab_kib": round(per_tab_kib, 1),
            "open_files": open_fds(worker),
            "states_dir_mib": round(folder_mib(states_dir), 1),
            "load": load_average(),
        }
        if args.hub == "redis":
            step.update(redis_usage(args.redis_url))
        print(
            f"\n{len(tabs)} tabs on {args.path} ({failed} failed) in {connect_s:.1f} s; worker RSS "
            f"{rss:.1f} MiB = {per_tab_kib:.0f} KiB per tab over the base; "
            f"{step['open_files']} open files; state folder {step['states_dir_mib']} MiB; "
            f"load {step['load']}"
            + (
                f"; Redis {step['redis_used_mib']} MiB, {step['redis_keys']} keys"
                if "redis_keys" in step
                else ""
            ),
            flush=True,
        )
        name = f"{len(tabs)} tabs: connect + hydrate + on_load ({len(new)} new)"
        report.add(Figure("clients", name, took))
        for number in range(args.broadcasts):
            latencies, missed, last = await broadcast(
                admin_tab, tabs, number, args.delivery_timeout
            )
            figure = report.add(
                Figure(
                    "clients",
                    f"{len(tabs)} tabs: announcement {number + 1} -> each tab",
                    latencies,
                    f"missed {missed}; last after {last:.0f} ms",
                    missed,
                )
            )
            step.setdefault("broadcasts", []).append(
                {**figure.as_dict(), "missed": missed, "last_ms": round(last, 1)}
            )
            await asyncio.sleep(1)
        step["rss_after_broadcasts_mib"] = round(rss_mib(worker), 1)
        for number in range(args.likes if args.path == "/explore" else 0):
            like_count = 1 - like_count  # like, unlike, like...
            latencies, missed, last = await like_fanout(
                liker_tab, tabs, shared_post, like_count, args.delivery_timeout
            )
            figure = report.add(
                Figure(
                    "clients",
                    f"{len(tabs)} tabs: {'like' if like_count else 'unlike'} {number + 1} "
                    "-> each tab's count",
                    latencies,
                    f"missed {missed}; last after {last:.0f} ms",
                    missed,
                )
            )
            step.setdefault("likes", []).append(
                {**figure.as_dict(), "missed": missed, "last_ms": round(last, 1)}
            )
            await asyncio.sleep(1)
        if total == args.clients[0]:
            samples = await asyncio.to_thread(reread_cost, engine, [t.person for t in tabs[:200]])
            report.add(
                Figure("clients", "services only: one tab's re-read (LiveState._reload)", samples)
            )
        if args.hub == "redis":
            latencies, missed, commit_ms = await per_user_messages(
                engine, admin, tabs, args.delivery_timeout
            )
            last = max(latencies, default=float("nan"))
            figure = report.add(
                Figure(
                    "clients",
                    f"{len(tabs)} tabs: one message to each user -> own tab",
                    latencies,
                    f"missed {missed}; commit {commit_ms:.0f} ms; last after {last:.0f} ms",
                    missed,
                )
            )
            step["per_user_messages"] = {
                **figure.as_dict(),
                "missed": missed,
                "commit_ms": round(commit_ms, 1),
                "last_ms": round(last, 1),
            }
            await asyncio.to_thread(_mark_all_read, engine, [t.person for t in tabs])
            await asyncio.sleep(2)
        steps.append(step)
        if failed > len(wanted) // 10:
            print("More than 10% of this step's tabs failed to connect: stopping here.")
            break
    report.facts["steps"] = steps
    tabs += [admin_tab, liker_tab]
    return tabs


def reread_cost(engine: Engine, people: list[Person]) -> list[float]:
    """What one tab's `LiveState._reload` asks the database, as service calls in one session
    each (as `run_db` does), timed here: the database's share of delivering to one tab."""
    samples = []
    for person in people:
        started = time.perf_counter()
        with session_scope(engine) as db:
            announcements.current_announcement(db, user_id=person.user_id)
            user = users.get_user(db, person.user_id)
            conversations.unread_message_count(db, user_id=person.user_id)
            notifications.unread_count(
                db, user_id=person.user_id, read_up_to=user.last_notification_read_id
            )
            announcements.is_admin(user)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def redis_usage(url: str) -> dict[str, Any]:
    """Redis's whole-server memory (other databases included) and this database's key count."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        used = int(client.info("memory")["used_memory"])
        return {"redis_used_mib": round(used / 2**20, 1), "redis_keys": int(client.dbsize())}
    finally:
        client.close()


def _mark_all_read(engine: Engine, people: list[Person]) -> None:
    with session_scope(engine) as db:
        for person in people:
            conversations.mark_all_read(db, user_id=person.user_id)


# --------------------------------------------------------------------------- main


def set_hub(args: argparse.Namespace, database_url: str) -> None:
    """Publish where the app listens: its Redis channel, or (in-process) nowhere it can hear."""
    if args.hub == "redis":
        live_hub.set_hub(live_hub.RedisHub(args.redis_url, live_hub.channel_for(database_url)))
    else:
        live_hub.set_hub(live_hub.InProcessHub())


def check_redis(url: str) -> bool:
    """Whether the Redis database was empty (then it is emptied again at the end)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as problem:
        sys.exit(f"Redis at {url} does not answer: {problem}")
    empty = client.dbsize() == 0
    client.close()
    if not empty:
        print(f"Note: {url} is not empty; its Reflex keys are left to expire after the run.")
    return empty


async def run(args: argparse.Namespace, report: Report) -> None:
    work = Path(tempfile.mkdtemp(prefix="microblog-live-"))
    database_url = f"sqlite:///{work / 'live.db'}"
    redis_was_empty = check_redis(args.redis_url) if args.hub == "redis" else False
    migrate(database_url)
    engine = make_engine(database_url)
    set_hub(args, database_url)
    started = time.perf_counter()
    names = [f"tab{i:05d}" for i in range(max(args.clients, default=0))]
    people = create_people(engine, [RECIPIENT, SENDER, ADMIN, *names])
    recipient, sender, admin, tab_people = people[0], people[1], people[2], people[3:]
    open_sessions(engine, [admin, sender, *tab_people])
    shared_post = _shared_post(engine, admin)
    print(
        f"{len(people)} users and their sessions created in {time.perf_counter() - started:.1f} s"
    )

    # One backend worker even with Redis (prod would otherwise start 2 x CPUs + 1).
    extra_env = {
        "ADMINS": f"{ADMIN}@example.com",
        "GRANIAN_WORKERS": "1",
        # Every simulated tab comes from this machine's one address.
        "WS_CONNECTIONS_PER_ADDRESS": str(max(args.clients or [0]) + 100),
    }
    if args.hub == "redis":
        extra_env["REDIS_URL"] = args.redis_url
    print(
        f"Starting `reflex run --env {args.app_env}` on ports {args.frontend_port}/"
        f"{args.backend_port} (hub: {args.hub}); log: {work / 'reflex.log'}",
        flush=True,
    )
    started = time.perf_counter()
    tabs: list[SimTab] = []
    try:
        with serve_app(
            database_url=database_url,
            frontend_port=args.frontend_port,
            backend_port=args.backend_port,
            work_dir=work,
            env_mode=args.app_env,
            start_timeout=args.start_timeout,
            keep_build=args.keep_build,
            extra_env=extra_env,
        ) as server:
            print(f"App up after {time.perf_counter() - started:.0f} s.", flush=True)
            backend_port = server.backend_port
            first_worker = backend_worker_pid(backend_port)
            frontend_port = server.frontend_port
            protocol = Protocol(
                host="127.0.0.1",
                port=backend_port,
                origin=server.frontend,
                cookie=cookie_name(frontend_port),
            )
            mode = "service" if args.hub == "redis" and args.sender == "auto" else args.sender
            mode = "browser" if mode == "auto" else mode
            setup = LatencySetup(engine, recipient, sender, mode)
            report.facts["latency_sender"] = mode
            async with Browser(server, RECIPIENT, SENDER if mode == "browser" else None) as b:
                print(
                    f"\nDelivery latency, {args.messages} messages ({args.warmup} warm-up), "
                    f"sender: {mode}, recipient's tab idle on /:",
                    flush=True,
                )
                for figure in await measure_latency(b, setup, args.messages, args.warmup, "idle"):
                    report.add(figure)
                if args.clients:
                    tabs = await measure_clients(
                        args,
                        protocol,
                        tab_people,
                        admin,
                        engine,
                        work / "states",
                        report,
                        shared_post,
                    )
                    if args.loaded_messages:
                        alive = sum(1 for t in tabs if not t.closed)
                        print(
                            f"\nDelivery latency again, {args.loaded_messages} messages, with "
                            f"{alive} other tabs connected to the worker:",
                            flush=True,
                        )
                        label = f"{alive} tabs connected"
                        for figure in await measure_latency(
                            b, setup, args.loaded_messages, 2, label
                        ):
                            report.add(figure)
                    worker = backend_worker_pid(backend_port)
                    await asyncio.gather(*(t.close() for t in tabs))
                    await asyncio.sleep(5)
                    report.facts["rss_after_disconnect_mib"] = round(rss_mib(worker), 1)
                    print(
                        f"\nAll tabs closed: worker RSS {rss_mib(worker):.1f} MiB after 5 s.",
                        flush=True,
                    )
                # The dev server restarts its worker whenever a file in the checkout changes
                # (someone else's edit, too): every tab reconnects and the figures are void.
                restarted = backend_worker_pid(backend_port) != first_worker
                report.facts["backend_restarted"] = restarted
                if restarted:
                    print("\nWARNING: the backend worker restarted during the run (hot reload?)")
    except AppDidNotStart as problem:
        sys.exit(str(problem))
    finally:
        for tab in tabs:
            await tab.close()
        engine.dispose()
        if args.hub == "redis" and redis_was_empty:
            import redis

            client = redis.Redis.from_url(args.redis_url)
            client.flushdb()
            client.close()
    if any(f.missed for f in report.figures):
        print(f"Some updates never arrived: the app's log is kept in {work / 'reflex.log'}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def print_summary(report: Report) -> None:
    print("\nSummary (ms):")
    print("| measurement | n | p50 | p95 | p99 | max | note |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for f in report.figures:
        print(
            f"| {f.name} | {len(f.samples)} | {f.pct(50):.1f} | {f.pct(95):.1f} "
            f"| {f.pct(99):.1f} | {f.pct(100):.1f} | {f.note} |"
        )
    steps = report.facts.get("steps", [])
    if steps:
        print("\n| tabs | failed | connect s | worker RSS MiB | KiB per tab | open files |")
        print("|---:|---:|---:|---:|---:|---:|")
        for s in steps:
            print(
                f"| {s['tabs']} | {s['failed']} | {s['connect_s']} | {s['rss_mib']} "
                f"| {s['rss_per_tab_kib']} | {s['open_files']} |"
            )


def print_verdict(report: Report) -> None:
    """The issue's goals, next to what this run saw."""
    idle = next(
        (f for f in report.figures if f.name.startswith("idle: ") and "DOM" in f.name), None
    )
    print("\nAgainst the goals:")
    if idle is not None:
        verdict = "met" if idle.pct(95) <= GOAL_P95_MS and not idle.missed else "NOT met"
        print(
            f"  delivery p95 {idle.pct(95):.0f} ms (goal <= {GOAL_P95_MS:.0f} ms, one recipient, "
            f"idle worker): {verdict}"
        )
    steps = report.facts.get("steps", [])
    if steps:
        held = max((s["alive"] for s in steps if not s["failed"]), default=0)
        verdict = "met" if held >= GOAL_CLIENTS else "NOT met"
        print(f"  tabs held by one worker: {held} (goal >= {GOAL_CLIENTS}): {verdict}")
        for s in steps:
            lasts = [b["last_ms"] for b in s.get("broadcasts", [])]
            if lasts:
                print(
                    f"  {s['tabs']} tabs: an announcement reached the last tab after "
                    f"{min(lasts) / 1000:.1f}-{max(lasts) / 1000:.1f} s; "
                    f"{s['rss_per_tab_kib']:.0f} KiB of worker RSS per tab"
                )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_live",
        description="Time live delivery (message -> badge) and count the tabs one worker holds.",
    )
    parser.add_argument(
        "--hub",
        choices=("memory", "redis"),
        default="memory",
        help="the app's live hub: in-process (no REDIS_URL, default) or Redis (REDIS_URL set, "
        "which also moves Reflex's per-tab state to Redis)",
    )
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS_URL, help="for --hub redis (default: %(default)s)"
    )
    parser.add_argument(
        "--sender",
        choices=("auto", "browser", "service"),
        default="auto",
        help="who sends the timed messages: a second browser tab submitting the form, or "
        "messages.send_message in this process (needs --hub redis); auto: service with "
        "Redis, browser without",
    )
    parser.add_argument("--messages", type=int, default=200, help="timed messages (idle)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed messages first")
    parser.add_argument(
        "--clients",
        type=int,
        nargs="*",
        default=[GOAL_CLIENTS],
        help="connect simulated tabs up to each of these totals in turn (default: %(default)s; "
        "none: skip the clients part)",
    )
    parser.add_argument("--path", default="/explore", help="the page the tabs show (/ or /explore)")
    parser.add_argument("--broadcasts", type=int, default=3, help="announcements per step")
    parser.add_argument(
        "--likes", type=int, default=4, help="likes/unlikes of the post every tab shows, per step"
    )
    parser.add_argument(
        "--loaded-messages",
        type=int,
        default=50,
        help="timed messages again while the tabs are connected (0: skip)",
    )
    parser.add_argument("--connect-concurrency", type=int, default=20, help="handshakes at once")
    parser.add_argument("--connect-timeout", type=float, default=120, help="seconds per tab")
    parser.add_argument("--delivery-timeout", type=float, default=120, help="seconds per update")
    parser.add_argument(
        "--app-env",
        choices=("dev", "prod"),
        default="prod",
        help="`reflex run --env` (default: %(default)s; the dev server reloads its worker on any "
        "file change in the checkout, which drops every connected tab)",
    )
    parser.add_argument("--frontend-port", type=int, default=3400, help="(default: %(default)s)")
    parser.add_argument(
        "--backend-port", type=int, default=8400, help="(default: %(default)s; prod: the same)"
    )
    parser.add_argument("--start-timeout", type=int, default=600, help="seconds for reflex run")
    parser.add_argument(
        "--keep-build", action="store_true", help="keep .web-<frontend-port> for the next run"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.sender == "service" and args.hub != "redis":
        parser.error(
            "--sender service needs --hub redis: the app's in-process hub only hears publishes "
            "made inside the app process"
        )
    if args.messages < 1 or args.warmup < 0 or any(n < 1 for n in args.clients):
        parser.error("counts must be positive")
    args.clients = sorted(set(args.clients))
    if args.app_env == "prod":
        args.backend_port = args.frontend_port
    for port in {args.frontend_port, args.backend_port}:
        if not port_free(port):
            parser.error(f"port {port} is in use; pick others with --frontend-port/--backend-port")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not Path(CHROMIUM).exists():
        sys.exit(f"Chromium not found at {CHROMIUM}")
    files = raise_open_file_limit()
    settings = {
        k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "json"
    }
    report = Report(settings=settings)
    print(f"{os.cpu_count()} CPUs; open-file limit {files}; load average at start {load_average()}")
    report.facts["load_start"] = load_average()
    asyncio.run(run(args, report))
    report.facts["load_end"] = load_average()
    print(f"\nLoad average at end: {report.facts['load_end']}")
    print_summary(report)
    print_verdict(report)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "settings": report.settings,
                    "figures": [f.as_dict() for f in report.figures],
                    **report.facts,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
