"""What each pytest-xdist worker keeps to itself: the suite runs in several processes side by
side (the Makefile's TEST_WORKERS). Tests empty their Redis database (tests/conftest.py,
`redis_url_for_worker`), so two workers must never share one, nor take the production test's;
and the ports of the servers they start (tests/app_server.py, `free_port`)."""

from __future__ import annotations

import pytest

from tests.app_server import PORT_BLOCK, _ephemeral_low, free_port, port_share
from tests.conftest import PRODUCTION_TEST_REDIS_DB, redis_url_for_worker


def test_the_first_worker_keeps_the_database_it_was_given() -> None:
    assert redis_url_for_worker("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/15"


def test_workers_count_down_and_pass_over_the_production_tests_database() -> None:
    url = "redis://127.0.0.1:6379/15"
    chosen = [redis_url_for_worker(url, f"gw{index}") for index in range(6)]
    assert chosen[:3] == [url, "redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/12"]
    assert len(set(chosen)) == len(chosen)
    assert not any(one.endswith(f"/{PRODUCTION_TEST_REDIS_DB}") for one in chosen)


def test_a_url_without_a_database_number_is_kept_and_too_many_workers_are_refused() -> None:
    assert redis_url_for_worker("redis://127.0.0.1:6379", "gw3") == "redis://127.0.0.1:6379"
    with pytest.raises(RuntimeError, match="no Redis database left"):
        redis_url_for_worker("redis://127.0.0.1:6379/2", "gw3")


def test_each_test_process_takes_ports_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Servers the tests start listen on ports picked before they bind (tests/app_server.py):
    two processes must never pick the same one, nor may the system hand one out meanwhile."""
    assert port_share(None, None) == (0, 1)
    assert port_share("gw1", "2") == (1, 2)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    picked = [free_port() for _ in range(40)]
    assert len(set(picked)) == 40  # never the same port twice
    assert all(port < _ephemeral_low() for port in picked)  # none the system hands out itself
    assert {(port // PORT_BLOCK) % 2 for port in picked} == {1}  # gw0 has the even blocks
