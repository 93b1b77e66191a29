"""A real HTTP(S) server on 127.0.0.1 that serves what a test says, path by path: pages for the
link-preview fetcher to read, and the misbehaving servers it must refuse (slow, huge, wrong
type, redirecting elsewhere). Started and stopped by the test (`with PageServer() as pages`).
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    trickle: float = 0.0  # seconds between the body's bytes (0: all at once)
    trickle_headers: float = 0.0  # seconds between the bytes of a long header
    gate: threading.Event | None = None  # answer only once the test sets it
    send_length: bool = True


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class PageServer:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.server_names: list[str | None] = []  # TLS SNI of each handshake
        self._stop = threading.Event()
        self._tls = tls

    def route(self, path: str, **options: object) -> str:
        """Serve `path` as told (see `Route`); returns its URL."""
        self.routes[path] = Route(**options)  # type: ignore[arg-type]
        return self.url(path)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def requests_for(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def __enter__(self) -> PageServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.seen.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = owner.routes.get(self.path, Route(status=404, body=b"not here"))
                if route.gate is not None:
                    route.gate.wait(60)
                if route.delay and owner._stop.wait(route.delay):
                    return
                with contextlib.suppress(OSError):  # the client hung up (a refusal does)
                    self._answer(route)

            def _answer(self, route: Route) -> None:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                else:
                    self.send_header("Connection", "close")
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.trickle_headers:
                    self.flush_headers()
                    self.wfile.write(b"X-Slow: ")
                    for _ in range(10_000):
                        self.wfile.write(b"a")
                        self.wfile.flush()
                        if owner._stop.wait(route.trickle_headers):
                            return
                self.end_headers()
                if not route.trickle:
                    self.wfile.write(route.body)
                    return
                for byte in route.body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    if owner._stop.wait(route.trickle):
                        return

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

            def handle_error(self, *_args: object) -> None:
                pass  # a client that hangs up mid-answer is what the refusals do

        self._server = Server(("127.0.0.1", 0), Handler)
        if self._tls is not None:
            self._tls.sni_callback = self._record_sni
            self._server.socket = self._tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def _record_sni(self, _sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        self.server_names.append(name)

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        for route in self.routes.values():
            if route.gate is not None:
                route.gate.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def wait_until(test: object, timeout: float = 10.0) -> None:
    """Poll `test()` until it holds (for work done on another thread: no UI here)."""
    end = time.monotonic() + timeout
    while not test():  # type: ignore[operator]
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)
