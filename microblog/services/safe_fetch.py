"""Outgoing HTTP to addresses people typed into posts (link previews), refusing what an attacker
would point us at: the machine itself, the private network, cloud metadata services.

`fetch(url, accept=..., policy=...)` returns the body of one `http`/`https` resource or raises
`FetchRefused` with a short reason. The rules, each checked on the first URL and again on every
redirect (which we follow ourselves):

- **Scheme and port**: `http` or `https` only, on ports 80 and 443 only.
- **Addresses**: the host is resolved once and *every* address it resolves to must be public:
  not private, loopback, link-local, multicast, reserved, unspecified or shared (CGNAT), for
  IPv4 and IPv6 alike, including IPv4 addresses carried inside IPv6 (`::ffff:127.0.0.1`, 6to4,
  Teredo, NAT64). A literal IP in the URL is checked the same way.
- **No DNS rebinding**: the connection goes to the address that was checked, not to a second
  lookup of the name (`_PinnedAdapter`): the URL is rewritten to that address, the `Host`
  header, TLS SNI and certificate check keep the name.
- **Limits**: a connect timeout, and a deadline for the whole fetch (DNS, redirects, headers
  and body) that a timer enforces by shutting the connection down (`_Deadline`: socket
  timeouts alone let a server that trickles a byte at a time go on for ever); at most
  `max_redirects` redirects and `max_bytes` of body, counted after decompression and read as
  a stream that stops at the limit (a `Content-Length` above it is refused before reading).
- **Content type**: the response's media type must be one `accept` allows (`text/html` for a
  page, an image type for a picture), and the status 200.
- **Honest**: a `User-Agent` that names the site; no cookies, no proxy or `.netrc` from the
  environment (a proxy would make the address check meaningless).

**The test allowance.** Tests serve pages on 127.0.0.1, which the rules refuse. A policy with
`allow_loopback_for_tests` may reach loopback addresses, on any port, and nothing else: a name
other than `localhost` is not even resolved, so an app under test never reaches past the
machine. Production code builds its policy with `policy_from_settings`, which sets it only from
the setting `LINK_PREVIEW_TEST_LOOPBACK`, and config.py refuses to start with that setting
outside `MICROBLOG_ENV=test`.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# What services/media re-encodes; SVG is not a picture we take (it is a document).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
_REDIRECTS = {301, 302, 303, 307, 308}
_PORTS = {"http": 80, "https": 443}
_CHUNK = 16_384


class FetchRefused(Exception):
    """The fetch was refused or failed; `reason` is a short word for logs and tests."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str
    connect_timeout: float = 3.0
    total_timeout: float = 8.0
    max_bytes: int = 1_048_576
    max_redirects: int = 3
    # Test-only (module docstring): loopback on any port, and nothing else.
    allow_loopback_for_tests: bool = False
    # A CA bundle for TLS (tests with their own certificate authority); None: the system's.
    ca_bundle: str | None = None


@dataclass(frozen=True)
class Fetched:
    url: str  # where the body came from, after redirects
    content_type: str  # the media type, lower-cased, without parameters
    charset: str | None  # from the Content-Type header
    body: bytes


def policy_from_settings(*, max_bytes: int | None = None) -> FetchPolicy:
    """The policy production uses, from the LINK_PREVIEW_* settings."""
    from microblog.config import get_settings

    settings = get_settings()
    return FetchPolicy(
        user_agent=user_agent(settings.base_url),
        connect_timeout=settings.link_preview_connect_timeout,
        total_timeout=settings.link_preview_timeout,
        max_bytes=max_bytes or settings.link_preview_max_bytes,
        max_redirects=settings.link_preview_max_redirects,
        allow_loopback_for_tests=settings.link_preview_test_loopback,
    )


def user_agent(base_url: str) -> str:
    """Who is asking, and where to read about it (as well-behaved crawlers say)."""
    return f"Microblog link preview (+{base_url})"


# -- addresses ---------------------------------------------------------------------------------


def is_public_address(address: IpAddress) -> bool:
    """Whether `address` is on the public internet: not private, loopback, link-local,
    multicast, reserved, unspecified, shared (100.64/10), documentation or benchmark space,
    and, for IPv6 that carries an IPv4 address, not carrying one of those."""
    if isinstance(address, ipaddress.IPv6Address):
        for inner in _embedded_ipv4(address):
            if not is_public_address(inner):
                return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if address.teredo is not None:
        found += list(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _is_loopback(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


# Name lookups happen on these threads, so that a slow resolver counts against the deadline.
_resolvers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="safe-fetch-dns")


def _resolve(host: str, port: int, *, policy: FetchPolicy, deadline: float) -> IpAddress:
    """The one address to connect to for `host`, after checking every address it has."""
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    elif policy.allow_loopback_for_tests and host != "localhost":
        raise FetchRefused("address", f"{host}: tests reach loopback only")
    else:
        addresses = _lookup(host, port, deadline)
    for address in addresses:
        allowed = is_public_address(address)
        if policy.allow_loopback_for_tests:
            allowed = _is_loopback(address)
        if not allowed:
            raise FetchRefused("address", f"{host} is {address}, not a public address")
    return addresses[0]


def _lookup(host: str, port: int, deadline: float) -> list[IpAddress]:
    future = _resolvers.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        raise FetchRefused("too_slow", f"resolving {host}") from None
    except OSError as problem:
        raise FetchRefused("resolve", f"{host}: {problem}") from None
    addresses: list[IpAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # An IPv6 sockaddr may carry a zone (`fe80::1%eth0`): link-local, refused anyway.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchRefused("resolve", f"{host} has no address")
    return addresses


# -- the connection ----------------------------------------------------------------------------


class _Deadline:
    """Shuts the fetch's sockets down when its time is up. Socket timeouts bound each read,
    not a whole response: a server that sends a byte a second would hold the thread for as
    long as it likes (headers are read line by line, the body until a chunk is full). So a
    timer cuts the connection at the deadline, whatever it is waiting for."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


_deadline: ContextVar[_Deadline | None] = ContextVar("safe_fetch_deadline", default=None)


@contextmanager
def _watched(seconds: float) -> Iterator[_Deadline]:
    deadline = _Deadline(seconds)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)
        deadline.cancel()


def _register(sock: socket.socket | None) -> None:
    deadline = _deadline.get()
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _register(self.sock)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _register(self.sock)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _PinnedAdapter(HTTPAdapter):
    """Connects to the URL's host, which `fetch` has made the vetted IP address, while TLS
    sends `hostname` as SNI and checks the certificate against it (requests documents
    `build_connection_pool_key_attributes` as the place to change a pool's TLS keywords).
    Its connections register with the fetch's `_Deadline`."""

    def __init__(self, hostname: str) -> None:
        self._hostname = hostname
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self._hostname
            pool_kwargs["assert_hostname"] = self._hostname
        return host_params, pool_kwargs


@dataclass(frozen=True)
class _Target:
    url: str  # as given (for redirects and the result)
    scheme: str
    hostname: str  # IDNA (ASCII), lower-cased
    port: int


def _target(url: str, policy: FetchPolicy) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as problem:
        raise FetchRefused("url", str(problem)) from None
    scheme = parts.scheme.lower()
    if scheme not in _PORTS:
        raise FetchRefused("scheme", scheme or "none")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("url", "credentials in the URL")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused("url", "no host")
    try:
        hostname = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        raise FetchRefused("url", f"bad host name {host!r}") from None
    port = port or _PORTS[scheme]
    if port not in (80, 443) and not policy.allow_loopback_for_tests:
        raise FetchRefused("port", str(port))
    return _Target(url=url.strip(), scheme=scheme, hostname=hostname, port=port)


def _pinned_url(target: _Target, address: IpAddress) -> tuple[str, str]:
    """The URL with the address in place of the name, and the Host header that names it."""
    parts = urlsplit(target.url)
    shown = f"[{address}]" if address.version == 6 else str(address)
    default = _PORTS[target.scheme] == target.port
    netloc = shown if default else f"{shown}:{target.port}"
    host_header = target.hostname if default else f"{target.hostname}:{target.port}"
    return urlunsplit((target.scheme, netloc, parts.path or "/", parts.query, "")), host_header


def fetch(url: str, *, accept: Collection[str], policy: FetchPolicy) -> Fetched:
    """GET `url` under `policy`'s rules (module docstring); the body if its type is one of
    `accept`. Raises `FetchRefused` for anything refused or failed."""
    deadline = time.monotonic() + policy.total_timeout
    with _watched(policy.total_timeout) as watch:
        try:
            fetched = _follow(url, accept=accept, policy=policy, deadline=deadline)
        except FetchRefused as refused:
            if watch.expired and refused.reason not in ("too_big", "content_type"):
                raise FetchRefused("too_slow", refused.detail) from None
            raise
        if watch.expired:  # the response was cut short, so it may look complete and be wrong
            raise FetchRefused("too_slow", "the deadline passed")
        return fetched


def _follow(url: str, *, accept: Collection[str], policy: FetchPolicy, deadline: float) -> Fetched:
    for _ in range(policy.max_redirects + 1):
        target = _target(url, policy)
        address = _resolve(target.hostname, target.port, policy=policy, deadline=deadline)
        response = _get(target, address, policy=policy, deadline=deadline)
        try:
            if response.status_code in _REDIRECTS:
                location = response.headers.get("Location", "")
                if not location:
                    raise FetchRefused("status", f"{response.status_code} without Location")
                url = urljoin(target.url, location)
                continue
            return _body(target.url, response, accept=accept, policy=policy, deadline=deadline)
        finally:
            response.close()
    raise FetchRefused("redirects", f"more than {policy.max_redirects}")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchRefused("too_slow", "the deadline passed")
    return left


def _get(
    target: _Target, address: IpAddress, *, policy: FetchPolicy, deadline: float
) -> requests.Response:
    pinned, host_header = _pinned_url(target, address)
    with requests.Session() as session:
        session.trust_env = False  # no proxies or .netrc from the environment
        session.mount(f"{target.scheme}://", _PinnedAdapter(target.hostname))
        headers = {
            "Host": host_header,
            "User-Agent": policy.user_agent,
            "Accept": "text/html,application/xhtml+xml;q=0.9,image/*;q=0.8,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        }
        left = _remaining(deadline)
        try:
            return session.get(
                pinned,
                headers=headers,
                allow_redirects=False,
                stream=True,
                timeout=(min(policy.connect_timeout, left), left),
                verify=policy.ca_bundle or True,
            )
        except requests.Timeout:
            raise FetchRefused("too_slow", target.hostname) from None
        except requests.RequestException as problem:
            raise FetchRefused("connect", f"{target.hostname}: {problem}") from None


def media_type(content_type: str) -> tuple[str, str | None]:
    """("text/html", "utf-8") from "text/html; charset=UTF-8"."""
    kind, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'").lower()
    return kind.strip().lower(), charset


def _body(
    url: str,
    response: requests.Response,
    *,
    accept: Collection[str],
    policy: FetchPolicy,
    deadline: float,
) -> Fetched:
    if response.status_code != 200:
        raise FetchRefused("status", str(response.status_code))
    kind, charset = media_type(response.headers.get("Content-Type", ""))
    if kind not in accept:
        raise FetchRefused("content_type", kind or "none")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchRefused("too_big", f"Content-Length {declared}")
    return Fetched(url, kind, charset, _read_capped(response, policy.max_bytes, deadline))


def _read_capped(response: requests.Response, limit: int, deadline: float) -> bytes:
    """The body, decompressed, as a stream that stops past `limit` bytes or at the deadline
    (which `_Deadline` enforces while a read waits)."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise FetchRefused("too_big", f"more than {limit} bytes")
            chunks.append(chunk)
            _remaining(deadline)
    except requests.Timeout:
        raise FetchRefused("too_slow", "reading the body") from None
    except requests.RequestException as problem:
        if "timed out" in str(problem):
            raise FetchRefused("too_slow", "reading the body") from None
        raise FetchRefused("connect", f"reading the body: {problem}") from None
    return b"".join(chunks)
