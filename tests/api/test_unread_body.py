"""A body that the answer came before (microblog/web/unread_body.py), over a raw socket so the
body can arrive after the answer, as it may when the server answers a 401 at once: a small body
is read and the connection serves the next request; a large one is left and the answer says
`Connection: close`."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from microblog.web.unread_body import DRAIN_BYTES
from tests.api.conftest import ApiServer

BODY = b'{"body": "valid"}'
LATE_SECONDS = 0.2


@pytest.fixture
def connection(api_server: ApiServer) -> Iterator[socket.socket]:
    address = urlsplit(api_server.base)
    with socket.create_connection((address.hostname, address.port), timeout=10) as opened:
        yield opened


def head(method: str, path: str, length: int) -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def answer(connection: socket.socket) -> tuple[bytes, dict[bytes, bytes]]:
    """The status line and headers of the next answer, and its body read to its length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, "the server closed the connection without an answer"
        data += chunk
    top, rest = data.split(b"\r\n\r\n", 1)
    status, *lines = top.split(b"\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, value in (line.split(b":", 1) for line in lines)
    }
    while len(rest) < int(headers.get(b"content-length", b"0")):
        rest += connection.recv(65536)
    return status, headers


def test_a_body_that_comes_late_leaves_the_connection_usable(connection: socket.socket) -> None:
    connection.sendall(head("GET", "/api/users/1", len(BODY)))  # no token: a 401 at once
    # The body follows a moment later, as over a slow network: without the drain the server
    # answers first and then closes the connection when the body turns up.
    late = threading.Timer(LATE_SECONDS, connection.sendall, args=(BODY,))
    late.start()
    try:
        status, headers = answer(connection)
    finally:
        late.join()
    assert b" 401 " in status
    assert headers.get(b"connection", b"").lower() != b"close"
    connection.sendall(b"GET /api/users/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    status, _ = answer(connection)
    assert b" 401 " in status  # the second request got its own answer


def test_a_large_unread_body_closes_the_connection(connection: socket.socket) -> None:
    connection.sendall(head("POST", "/api/posts", DRAIN_BYTES + 1))
    status, headers = answer(connection)
    assert b" 413 " in status  # too large for the API, said before a byte of it is read
    assert headers[b"connection"].lower() == b"close"
    assert connection.recv(65536) == b""  # and the server closed it
