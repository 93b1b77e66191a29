"""What the site needs in order to answer, checked: the database, Redis (when REDIS_URL is
set) and Elasticsearch (when ELASTICSEARCH_URL is set).

`/readyz` answers with these (microblog/web/health.py): a load balancer or an orchestrator
stops sending visitors to a worker that cannot reach what it needs, and an operator reads
which one failed. `python -m microblog.stack` runs the same checks before it starts anything,
so `make prod` says at once what is missing. Each check is a blocking call with a short
timeout: callers on an event loop run them in a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from sqlalchemy import text

from microblog import db
from microblog.config import get_settings

TIMEOUT = 3.0  # seconds per check


@dataclass(frozen=True)
class Check:
    name: str  # "database", "redis", "search"
    ok: bool
    detail: str  # "ok", or what went wrong, without secrets


def _problem(error: BaseException) -> str:
    """The error's kind and first line: enough to act on, never a URL with a password (the
    drivers' messages name host and port, not credentials)."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}"[:300] if first else type(error).__name__


def check_database() -> None:
    with db.get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def check_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


def check_search() -> None:
    from microblog.services.search.elasticsearch import make_client

    client = make_client(get_settings())
    try:
        if not client.ping():
            msg = "Elasticsearch did not answer its ping"
            raise ConnectionError(msg)
    finally:
        client.close()


def checks() -> dict[str, Callable[[], None]]:
    """The checks this configuration calls for, by name."""
    settings = get_settings()
    found: dict[str, Callable[[], None]] = {"database": check_database}
    if settings.redis_url:
        found["redis"] = lambda: check_redis(settings.redis_url)
    if settings.elasticsearch_url:
        found["search"] = check_search
    return found


_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readiness")


def readiness(timeout: float = TIMEOUT) -> list[Check]:
    """Every check, at once, each given `timeout` seconds (a host that swallows packets must
    not hold the answer longer than that)."""
    futures = {name: _pool.submit(check) for name, check in checks().items()}
    results = []
    for name, future in futures.items():
        try:
            future.result(timeout=timeout)
        except FutureTimeout:
            results.append(Check(name, ok=False, detail=f"no answer within {timeout:g} s"))
        except Exception as error:
            results.append(Check(name, ok=False, detail=_problem(error)))
        else:
            results.append(Check(name, ok=True, detail="ok"))
    return results
