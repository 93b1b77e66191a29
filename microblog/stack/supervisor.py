"""The stack's processes: the workers and nginx, started, watched, restarted and stopped.

Each child runs in its own session, so Ctrl-C reaches only this process, which then stops the
children in order (nginx stops taking requests, the workers close their sockets), and each is
told by the kernel to stop if this process dies without doing so (PR_SET_PDEATHSIG): nothing
is left behind. A worker that dies is started again (after 1 s, doubling up to 30 s while it
keeps dying young); meanwhile nginx sends its requests to the others and its tabs reconnect
there. nginx dying ends the stack with an error, since nothing else serves the site.
"""

from __future__ import annotations

import ctypes
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1
READY_TIMEOUT = 240.0  # seconds for a worker to answer /healthz (a loaded 2-core machine)
STOP_TIMEOUT = 15.0
RESTART_DELAY_MAX = 30.0
YOUNG = 60.0  # a worker that dies within this many seconds of starting waits longer each time


def _die_with_parent() -> None:  # pragma: no cover (runs in the child between fork and exec)
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def say(message: str) -> None:
    print(f"stack: {message}", flush=True)


def accepts(address: tuple[str, int], timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at `address`."""
    try:
        socket.create_connection(address, timeout=timeout).close()
    except OSError:
        return False
    return True


def answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (ours)
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Child:
    name: str
    argv: Sequence[str]
    stop_signal: signal.Signals = signal.SIGTERM
    health_url: str | None = None
    listens_on: tuple[str, int] | None = None  # nginx: ready once this accepts connections
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    delay: float = 1.0
    restart_at: float | None = None
    exits: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (our own commands)
            self.argv, start_new_session=True, preexec_fn=_die_with_parent
        )
        self.started = time.monotonic()
        self.restart_at = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def exited(self) -> int | None:
        return self.process.poll() if self.process else None

    def signal(self, sig: signal.Signals) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)


class Stack:
    """The children, in start order: the workers, then nginx (if any)."""

    def __init__(self, workers: list[Child], nginx: Child | None) -> None:
        self.workers = workers
        self.nginx = nginx
        self.stopping = threading.Event()

    @property
    def children(self) -> list[Child]:
        return [*self.workers, *([self.nginx] if self.nginx else [])]

    def _on_signal(self, signum: int, _frame: object) -> None:
        if not self.stopping.is_set():
            say(f"{signal.Signals(signum).name}: stopping nginx and the workers")
        self.stopping.set()

    def run(self) -> int:
        """Start everything, keep it up until a signal, stop it. The exit status."""
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        try:
            if self._address_taken():
                return 1
            for worker in self.workers:
                worker.start()
            if not self._wait_ready():
                return 1
            if self.nginx:
                if self._address_taken():  # again: the workers took a while to start
                    return 1
                self.nginx.start()
                if not self._wait_listening(self.nginx):
                    return 1
            say("ready")
            return self._watch()
        finally:
            self.stop()

    def _address_taken(self) -> bool:
        """Whether another program already accepts connections where nginx is to listen. nginx
        would then fail to bind while the stack, finding the address answering, said "ready"
        and the site answered with that program's replies."""
        address = self.nginx.listens_on if self.nginx else None
        if address is None or not accepts(address):
            return False
        host, port = address
        say(
            f"another program already listens on {host}:{port}, where nginx is to listen: "
            "stop it, or set LISTEN_PORT (or PUBLIC_URL's port) to a free port"
        )
        return True

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        waiting = [w for w in self.workers if w.health_url]
        while waiting:
            if self.stopping.is_set():
                return False
            for worker in list(waiting):
                code = worker.exited()
                if code is not None:
                    say(f"{worker.name} exited with {code} while starting; see its output above")
                    return False
                if answers(worker.health_url or ""):
                    say(f"{worker.name} is up (pid {worker.pid})")
                    waiting.remove(worker)
            if time.monotonic() > deadline:
                say(f"{', '.join(w.name for w in waiting)} did not answer in {READY_TIMEOUT:g} s")
                return False
            self.stopping.wait(0.3)
        return True

    def _wait_listening(self, child: Child) -> bool:
        if child.listens_on is None:
            return True
        deadline = time.monotonic() + 30
        while not self.stopping.is_set():
            if (code := child.exited()) is not None:
                say(f"{child.name} exited with {code} while starting; see its output above")
                return False
            if accepts(child.listens_on):
                return True
            if time.monotonic() > deadline:
                say(f"{child.name} is not listening on {child.listens_on} after 30 s")
                return False
            self.stopping.wait(0.1)
        return False

    def _watch(self) -> int:
        while not self.stopping.wait(0.25):
            if self.nginx and (code := self.nginx.exited()) is not None:
                say(f"nginx exited with {code}: stopping")
                return 1
            now = time.monotonic()
            for worker in self.workers:
                if worker.restart_at is not None:
                    if now >= worker.restart_at:
                        say(f"starting {worker.name} again")
                        worker.start()
                    continue
                code = worker.exited()
                if code is None:
                    continue
                young = now - worker.started < YOUNG
                worker.delay = min(worker.delay * 2, RESTART_DELAY_MAX) if young else 1.0
                worker.exits.append(code)
                worker.restart_at = now + worker.delay
                what = f"{worker.name} (pid {worker.pid}) exited with {code}"
                say(f"{what}; starting it again in {worker.delay:g} s")
        return 0

    def stop(self) -> None:
        """nginx first (it stops taking requests), then the workers; each gets STOP_TIMEOUT
        seconds, then is killed."""
        for group in ([self.nginx] if self.nginx else [], self.workers):
            for child in group:
                child.signal(child.stop_signal)
            deadline = time.monotonic() + STOP_TIMEOUT
            for child in group:
                if child.process is None:
                    continue
                try:
                    child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    say(f"{child.name} did not stop in {STOP_TIMEOUT:g} s: killing it")
                    child.process.kill()
                    child.process.wait()


def worker_child(port: int, host: str) -> Child:
    argv = [sys.executable, "-m", "microblog.stack", "worker", "--host", host, "--port", str(port)]
    probe = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104
    return Child(name=f"worker :{port}", argv=argv, health_url=f"http://{probe}:{port}/healthz")


def nginx_child(nginx: str, config: Path, listens_on: tuple[str, int]) -> Child:
    # SIGTERM: nginx's fast shutdown. A graceful one would wait for every open websocket.
    argv = [nginx, "-c", str(config), "-e", "stderr"]
    return Child(name="nginx", argv=argv, listens_on=listens_on)
