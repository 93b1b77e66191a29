"""The client address behind reverse proxies (microblog/client_address.py): the one rule the
login throttle, the registration and API rate limits and the websocket limit count with. The
same rule through a real nginx: tests/e2e/test_production.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from microblog.client_address import client_address
from microblog.config import ConfigError, get_settings, trusted_proxy_hops


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings read with TRUSTED_PROXY_HOPS=1, as under `make prod`."""
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address("198.51.100.7", ["203.0.113.5"], hops=0) == "198.51.100.7"
    assert client_address(None, [], hops=0) == "unknown"


def test_one_trusted_proxy_names_the_address_it_saw() -> None:
    # nginx appends the peer it saw ($proxy_add_x_forwarded_for): the last entry.
    assert client_address("127.0.0.1", ["203.0.113.5"], hops=1) == "203.0.113.5"


def test_what_the_client_wrote_before_the_trusted_entry_is_ignored() -> None:
    """A forged header arrives with the real address appended after it by nginx."""
    forged = ["10.0.0.1, 192.0.2.99, 203.0.113.5"]
    assert client_address("127.0.0.1", forged, hops=1) == "203.0.113.5"
    assert client_address("127.0.0.1", forged, hops=2) == "192.0.2.99"


def test_several_headers_read_as_one_list() -> None:
    assert client_address("127.0.0.1", ["192.0.2.1", "203.0.113.5"], hops=1) == "203.0.113.5"
    assert client_address("127.0.0.1", ["192.0.2.1", "203.0.113.5"], hops=2) == "192.0.2.1"


def test_a_chain_shorter_than_configured_or_garbage_falls_back_to_the_peer() -> None:
    assert client_address("127.0.0.1", [], hops=1) == "127.0.0.1"
    assert client_address("127.0.0.1", ["203.0.113.5"], hops=2) == "127.0.0.1"
    assert client_address("127.0.0.1", ["not-an-address"], hops=1) == "127.0.0.1"
    assert client_address("127.0.0.1", ["2001:db8::1"], hops=1) == "2001:db8::1"


@pytest.mark.usefixtures("hops")
def test_the_setting_is_read_from_the_environment() -> None:
    assert get_settings().trusted_proxy_hops == 1
    assert client_address("127.0.0.1", ["203.0.113.5"]) == "203.0.113.5"


def test_a_bad_hop_count_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "one")
    with pytest.raises(ConfigError, match="TRUSTED_PROXY_HOPS"):
        trusted_proxy_hops()


def test_reflex_reads_the_same_rule_from_the_same_setting() -> None:
    """rxconfig.py passes the setting to Reflex, whose router.session.client_ip (used in a few
    log lines) then agrees with ours."""
    import rxconfig

    assert rxconfig.config.trusted_proxy_hops == trusted_proxy_hops()
