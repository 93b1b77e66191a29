"""Each pytest-xdist worker's Redis database (tests/conftest.py, `redis_url_for_worker`): the
suite runs in several processes side by side (the Makefile's TEST_WORKERS), and tests empty
their Redis database, so two workers must never share one, nor take the production test's."""

from __future__ import annotations

import pytest

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
