"""Request rate limits per client address, shared by every worker through the database.

Used for the requests that are expensive or abuse-prone without a password to stop them:
creating a token over the REST API (a password hash each) and registering (a hash and a new
account), through the API or the form alike (services/registration.py); and per signed-in user
(`hit_user`) for translations, which spend the operator's quota.

A fixed window per (limit, client): the first request opens a window of `window` seconds, each
request in it adds one, and past `requests` the answer is "wait until the window ends". One
`INSERT … ON CONFLICT … RETURNING` counts and reads in a single atomic statement, so any number
of workers (or servers) on one database share the count without a lock or a race.

The counters live in `login_failure`, the key -> (count, time) table of the login throttle, under
keys of their own (`rate:<limit>:<client>`), so no new table is needed and the throttle's pruning
(rows untouched for an hour) forgets them too: that is why a window is at most an hour
(`config.RATE_WINDOW_MAX`). The client is normalized as the throttle does it (an IPv6 address
counts as its /64). Why not Redis: the login throttle already counts in the database, which works
with or without `REDIS_URL`; one mechanism is simpler to reason about and to test.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from microblog.models import LoginFailure, table_of, utcnow
from microblog.services import login_throttle

PRUNE_ONE_IN = 100  # about once in this many counted requests, old counters are deleted


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` per `window` seconds from one client."""

    name: str
    requests: int
    window: int


def _key(limit: RateLimit, client: str) -> str:
    return f"rate:{limit.name}:{login_throttle._normal_client(client)}"  # the throttle's rule


@dataclass(frozen=True)
class Window:
    """Where a client stands in a limit's window after one more request: for the
    `X-RateLimit-Limit`, `-Remaining` and `-Reset` headers, and `Retry-After`."""

    limit: int
    remaining: int
    resets_at: datetime
    retry_after: int  # 0: the request may go ahead


def hit(session: Session, *, limit: RateLimit, client: str, now: datetime | None = None) -> int:
    """Count one request from `client`; returns 0 if it may go ahead, else the seconds until the
    window ends (for `Retry-After`). Refused requests count too, which changes nothing: the
    window ends when it ends."""
    return _count(session, key=_key(limit, client), limit=limit, now=now or utcnow()).retry_after


def hit_window(
    session: Session, *, limit: RateLimit, client: str, now: datetime | None = None
) -> Window:
    """`hit`, answering the whole window (what a Mastodon client reads in X-RateLimit-*)."""
    return _count(session, key=_key(limit, client), limit=limit, now=now or utcnow())


def hit_user(
    session: Session, *, limit: RateLimit, user_id: int, now: datetime | None = None
) -> int:
    """`hit` counted per signed-in user instead of per client address (for what spends a
    resource of the site's, such as the translator's quota, wherever the user connects from)."""
    return _count(
        session, key=f"rate:{limit.name}:user:{user_id}", limit=limit, now=now or utcnow()
    ).retry_after


def _count(session: Session, *, key: str, limit: RateLimit, now: datetime) -> Window:
    table = table_of(LoginFailure)
    dialect = session.get_bind().dialect.name
    insert: Callable[[Table], postgresql.Insert | sqlite.Insert] = (
        postgresql_insert if dialect == "postgresql" else sqlite_insert
    )
    statement = insert(table).values(key=key, failures=1, last_failure_at=now)
    expired = table.c.last_failure_at <= now - timedelta(seconds=limit.window)
    upsert = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "last_failure_at": case((expired, now), else_=table.c.last_failure_at),
        },
    ).returning(table.c.failures, table.c.last_failure_at)
    count, window_start = session.execute(upsert).one()
    if secrets.randbelow(PRUNE_ONE_IN) == 0:
        login_throttle.prune_login_failures(session, now=now)
    resets_at = window_start + timedelta(seconds=limit.window)
    wait = 0 if count <= limit.requests else max(1, math.ceil((resets_at - now).total_seconds()))
    return Window(
        limit=limit.requests,
        remaining=max(0, limit.requests - count),
        resets_at=resets_at,
        retry_after=wait,
    )
