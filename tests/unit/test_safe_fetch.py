"""The link-preview fetcher's rules (services/safe_fetch.py) against real HTTP servers on
127.0.0.1 that the tests start and stop: each refusal, and that what is allowed is fetched from
the address that was checked, with the name kept for Host, SNI and the certificate.

The servers are on loopback, which the rules refuse: the tests that must reach them use the
test-only allowance (`allow_loopback_for_tests`, a policy argument that production builds only
from a setting config.py refuses outside MICROBLOG_ENV=test); the refusals of private
addresses run with the production policy.
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from microblog.config import ConfigError, load_settings
from microblog.services import safe_fetch
from microblog.services.safe_fetch import (
    IMAGE_TYPES,
    PAGE_TYPES,
    FetchPolicy,
    FetchRefused,
    fetch,
    is_public_address,
)
from tests.page_server import PageServer

PRODUCTION = FetchPolicy(user_agent="Microblog link preview (+https://blog.example)")
TESTS = FetchPolicy(
    user_agent="Microblog link preview (+https://blog.example)",
    allow_loopback_for_tests=True,
    total_timeout=5.0,
    max_bytes=64_000,
)
PAGE = b"<html><head><title>Hello</title></head><body>hi</body></html>"


@pytest.fixture
def pages() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


def _refused(url: str, policy: FetchPolicy = PRODUCTION, accept: frozenset = PAGE_TYPES) -> str:
    with pytest.raises(FetchRefused) as refused:
        fetch(url, accept=accept, policy=policy)
    return refused.value.reason


# -- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.8.9.10/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/",  # shared address space (CGNAT)
        "http://0.0.0.0/",
        "http://224.0.0.1/",  # multicast
        "http://240.0.0.1/",  # reserved
        "http://255.255.255.255/",
        "http://192.0.2.1/",  # documentation
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",  # link-local
        "http://[fd00::1]/",  # unique local
        "http://[ff02::1]/",  # multicast
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped private
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://[64:ff9b::a00:1]/",  # NAT64 around 10.0.0.1
        "http://2130706433/",  # 127.0.0.1 as one number, which the resolver accepts
        "http://0x7f.1/",
        "https://localhost/",  # a name that resolves to loopback
        "http://LOCALHOST./",
    ],
)
def test_private_and_special_addresses_are_refused(url: str) -> None:
    assert _refused(url) == "address"


def test_public_addresses_pass_the_check() -> None:
    for text in ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "1.1.1.1"):
        assert is_public_address(ipaddress.ip_address(text))
    assert not is_public_address(ipaddress.ip_address("::ffff:8.8.8.8"))  # mapped: refused


def test_a_name_whose_addresses_include_a_private_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every address a name resolves to must be public, not just the first."""

    def resolver(host: str, port: int, *_args: object) -> list:
        assert host == "mixed.example"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    monkeypatch.setattr(safe_fetch.socket, "getaddrinfo", resolver)
    assert _refused("https://mixed.example/") == "address"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/file", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("gopher://example.com/", "scheme"),
        ("http://example.com:8080/", "port"),
        ("https://example.com:22/", "port"),
        ("http://user:secret@example.com/", "url"),
        ("http:///nohost", "url"),
        ("http://example.com:99999/", "url"),
    ],
)
def test_only_http_and_https_on_their_ports(url: str, reason: str) -> None:
    assert _refused(url) == reason


def test_without_the_allowance_the_loopback_server_is_refused(pages: PageServer) -> None:
    """The production policy refuses the test server twice over: its port and its address."""
    url = pages.route("/page", body=PAGE)
    assert _refused(url) == "port"
    assert _refused(url, FetchPolicy(user_agent="x", allow_loopback_for_tests=False)) == "port"
    assert pages.seen == []


def test_the_allowance_reaches_loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the test allowance a private address is still refused, and a name other than
    localhost is not even looked up: an app under test never reaches past the machine."""

    def no_lookups(*_args: object) -> list:
        raise AssertionError("looked up a name")

    monkeypatch.setattr(safe_fetch.socket, "getaddrinfo", no_lookups)
    assert _refused("http://10.0.0.1/", TESTS) == "address"
    assert _refused("http://[fd00::1]:8080/", TESTS) == "address"
    assert _refused("http://example.com/", TESTS) == "address"


def test_the_allowance_is_refused_outside_the_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINK_PREVIEW_TEST_LOOPBACK", "1")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("MICROBLOG_ENV", "production")
    with pytest.raises(ConfigError, match="LINK_PREVIEW_TEST_LOOPBACK"):
        load_settings()
    monkeypatch.setenv("MICROBLOG_ENV", "development")
    with pytest.raises(ConfigError):
        load_settings()
    monkeypatch.setenv("MICROBLOG_ENV", "test")
    assert load_settings().link_preview_test_loopback is True
    monkeypatch.delenv("LINK_PREVIEW_TEST_LOOPBACK")
    assert load_settings().link_preview_test_loopback is False


# -- what is fetched ---------------------------------------------------------------------------


def test_a_page_is_fetched_with_an_honest_user_agent(pages: PageServer) -> None:
    url = pages.route("/page", body=PAGE)
    got = fetch(url, accept=PAGE_TYPES, policy=TESTS)
    assert got.body == PAGE
    assert (got.content_type, got.charset, got.url) == ("text/html", "utf-8", url)
    (seen,) = pages.requests_for("/page")
    assert seen.headers["user-agent"] == "Microblog link preview (+https://blog.example)"
    assert seen.headers["host"] == f"127.0.0.1:{pages.port}"
    assert "cookie" not in seen.headers


def test_the_connection_goes_to_the_address_that_was_checked(
    pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name is resolved once, checked, and that address is connected to.
    Here the resolver answers loopback first and a private address afterwards; the fetch still
    reaches the server on loopback, with the name in the Host header."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def rebinding(host: str, port: int, *args: object) -> list:
        asked.append(host)
        if host == "localhost":
            address = "127.0.0.1" if asked.count("localhost") == 1 else "10.6.6.6"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = pages.route("/page", body=PAGE).replace("127.0.0.1", "localhost")
    assert fetch(url, accept=PAGE_TYPES, policy=TESTS).body == PAGE
    assert asked.count("localhost") == 1
    assert pages.requests_for("/page")[0].headers["host"] == f"localhost:{pages.port}"


# -- redirects ---------------------------------------------------------------------------------


def test_redirects_are_followed_and_checked_each_time(pages: PageServer) -> None:
    pages.route("/page", body=PAGE)
    pages.route("/moved", status=301, headers={"Location": "/page"})
    got = fetch(pages.url("/moved"), accept=PAGE_TYPES, policy=TESTS)
    assert got.body == PAGE and got.url == pages.url("/page")

    for private in ("http://10.0.0.1/", "http://169.254.169.254/", "http://[fd00::1]/"):
        pages.route("/away", status=302, headers={"Location": private})
        assert _refused(pages.url("/away"), TESTS) == "address"
    pages.route("/ftp", status=307, headers={"Location": "ftp://example.com/"})
    assert _refused(pages.url("/ftp"), TESTS) == "scheme"


def test_a_redirect_to_a_private_address_is_refused_before_connecting(
    pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public page redirecting to localhost (production policy): the resolver is told the
    first name is public, and the redirect's name resolves to loopback."""
    real = socket.getaddrinfo

    def resolver(host: str, port: int, *args: object) -> list:
        if host == "public.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        return real(host, port, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(safe_fetch.socket, "getaddrinfo", resolver)
    connected: list[object] = []
    monkeypatch.setattr(
        safe_fetch,
        "_get",
        lambda target, address, **_kw: connected.append(address) or _Redirect("http://localhost/"),
    )
    assert _refused("http://public.example/") == "address"
    assert connected == [ipaddress.ip_address("93.184.215.14")]  # never the second one


class _Redirect:
    status_code = 302

    def __init__(self, location: str) -> None:
        self.headers = {"Location": location}

    def close(self) -> None:
        pass


def test_too_many_redirects(pages: PageServer) -> None:
    pages.route("/loop", status=302, headers={"Location": "/loop"})
    policy = FetchPolicy(user_agent="x", allow_loopback_for_tests=True, max_redirects=3)
    assert _refused(pages.url("/loop"), policy) == "redirects"
    assert len(pages.requests_for("/loop")) == 4  # the first request and three redirects


# -- size, time, type --------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused(pages: PageServer) -> None:
    big = b"<html>" + b"x" * 200_000
    declared = pages.route("/declared", body=big)
    assert _refused(declared, TESTS) == "too_big"
    streamed = pages.route("/streamed", body=big, send_length=False)
    assert _refused(streamed, TESTS) == "too_big"
    bomb = gzip.compress(b"<html>" + b" " * 50_000_000)  # ~50 KB on the wire
    assert len(bomb) < TESTS.max_bytes
    zipped = pages.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    assert _refused(zipped, TESTS) == "too_big"


def test_a_slow_server_is_given_up_at_the_deadline(pages: PageServer) -> None:
    policy = FetchPolicy(user_agent="x", allow_loopback_for_tests=True, total_timeout=1.0)
    cases = {
        "/silent": {"delay": 30.0},  # no answer at all
        "/trickle": {"body": PAGE * 50, "trickle": 0.05},  # a byte at a time
        "/headers": {"trickle_headers": 0.05},  # an endless header line
    }
    for path, options in cases.items():
        url = pages.route(path, **options)
        started = time.monotonic()
        assert _refused(url, policy) == "too_slow", path
        assert time.monotonic() - started < 2.5, path


def test_the_content_type_must_be_what_was_asked_for(pages: PageServer) -> None:
    json_url = pages.route("/data", body=b"{}", content_type="application/json")
    assert _refused(json_url, TESTS) == "content_type"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    svg_url = pages.route("/pic.svg", body=svg, content_type="image/svg+xml")
    assert _refused(svg_url, TESTS, IMAGE_TYPES) == "content_type"
    html_url = pages.route("/pic.png", body=PAGE)
    assert _refused(html_url, TESTS, IMAGE_TYPES) == "content_type"
    none_url = pages.route("/none", body=PAGE, content_type="")
    assert _refused(none_url, TESTS) == "content_type"
    png = pages.route("/ok.png", body=b"\x89PNG....", content_type="image/png")
    assert fetch(png, accept=IMAGE_TYPES, policy=TESTS).content_type == "image/png"


def test_an_error_status_is_refused(pages: PageServer) -> None:
    assert _refused(pages.url("/missing"), TESTS) == "status"
    url = pages.route("/broken", status=500, body=PAGE)
    assert _refused(url, TESTS) == "status"


# -- TLS ---------------------------------------------------------------------------------------


def _certificate(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A certificate authority and a server certificate for `name` signed by it (openssl)."""

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    run("genpkey", "-algorithm", "RSA", "-out", "ca.key")
    run("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=Test CA", "-days", "2",
        "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-subj", f"/CN={name}",
        "-out", "server.csr")  # fmt: skip
    (folder / "ext.cnf").write_text(f"subjectAltName=DNS:{name}\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")  # fmt: skip
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


@pytest.mark.parametrize("certified", ["localhost", "elsewhere.test"])
def test_tls_keeps_the_name_for_sni_and_the_certificate(tmp_path: Path, certified: str) -> None:
    """Connected to the checked address, TLS still says the name (SNI) and checks the
    certificate against it: a certificate for another name is refused."""
    ca, cert, key = _certificate(tmp_path, certified)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    policy = FetchPolicy(user_agent="x", allow_loopback_for_tests=True, ca_bundle=str(ca))
    with PageServer(tls=context) as pages:
        pages.route("/page", body=PAGE)
        url = pages.url("/page", host="localhost")
        if certified == "localhost":
            assert fetch(url, accept=PAGE_TYPES, policy=policy).body == PAGE
            assert pages.requests_for("/page")[0].headers["host"] == f"localhost:{pages.port}"
        else:
            assert _refused(url, policy) == "connect"
            assert pages.seen == []
        assert pages.server_names == ["localhost"]
