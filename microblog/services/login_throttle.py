"""Growing delays against password guessing, counted per account, per client and per pair.

Every failed login counts against three keys (rows of `LoginFailure`):

- `pair:<login>|<client>`: one client guessing one account. Free for 5 failures, then the next
  try waits 2, 4, 8 ... seconds, at most 5 minutes.
- `client:<client>`: one address guessing many accounts (credential stuffing). Free for 20, then
  the same doubling, at most 15 minutes.
- `login:<login>`: many addresses guessing one account. Free for 50, then the doubling, at most
  1 minute, and it never holds a client that has no recent failure on that account (see below).

`<login>` is what was typed, stripped and lower-cased, never whether an account exists: an unknown
name is throttled exactly like a real one, so the throttle tells nothing about who is registered.
(A user's name and their email are two logins, so each account really has two such budgets.)
`<client>` is the client's address (microblog/client_address.py): an IPv6 address
counts as its /64 network, because one host usually owns a whole /64 and could otherwise take a
fresh address for every guess. Behind a reverse proxy every client has the proxy's address unless
the proxies are trusted (`TRUSTED_PROXY_HOPS`, 1 under `make prod`); without it the client
limit would hold everyone together.

No lock-out that an attacker can use against a real user:
- the pair and client limits only ever slow the address that failed;
- the account-wide limit (the only one an attacker elsewhere can raise) is capped at a minute and
  only holds clients that have themselves failed on this account within the hour. Holding every
  client would let a botnet take each one-minute slot the moment it opens, and the real user would
  never get one. So the owner who types the right password first time always gets in, and one who
  mistyped waits out their own typo's delay like anyone else.
- refused attempts are not counted, so hammering during a wait does not make it longer;
- every counter is forgotten an hour after its last failure.

Attempts are counted *before* the password is checked (`begin_login_attempt`, committed by the
caller), so a burst of parallel guesses cannot all pass the check while the slow hash runs; a
success gives that count back (`record_login_success`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from microblog.models import EMAIL_MAX, LoginFailure, table_of, utcnow
from microblog.services.text import require_storable


@dataclass(frozen=True)
class Limit:
    """`free` failures cost nothing; after n > free failures the next try waits
    2 ** (n - free) seconds, at most `cap`."""

    prefix: str
    free: int
    cap: int

    def delay(self, failures: int) -> int:
        over = failures - self.free
        if over <= 0:
            return 0
        doubling: int = 2 ** min(over, 32)
        return min(self.cap, doubling)


PAIR = Limit("pair", free=5, cap=300)
CLIENT = Limit("client", free=20, cap=900)
LOGIN = Limit("login", free=50, cap=60)

# A counter is forgotten this long after its last failure (longer than any cap, so an expired row
# can never still be holding anyone).
FORGET_AFTER = timedelta(hours=1)
# Callers prune expired rows about once in this many successful logins (a full scan of a table
# that normally holds only the last hour's failures).
PRUNE_ONE_IN = 50

# Keys fit the 200-character column: the longest real login is an email address, the longest
# client an IPv6 /64 network or a digest (71 characters).
_LOGIN_MAX = EMAIL_MAX


@dataclass(frozen=True)
class _Keys:
    pair: str
    client: str
    login: str

    def all(self) -> list[str]:
        # Sorted, so concurrent upserts lock rows in the same order (no deadlock on PostgreSQL).
        return sorted((self.pair, self.client, self.login))


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _normal_login(login: str) -> str:
    login = login.strip().lower()
    return login if len(login) <= _LOGIN_MAX else _digest(login)


def _normal_client(client: str) -> str:
    client = client.strip()
    try:
        address = ipaddress.ip_address(client)
    except ValueError:  # not an address (a test client, a misconfigured proxy): keep it apart
        return _digest(client) if client else "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address.exploded}/64", strict=False))
    return str(address)


def _keys(login: str, client: str) -> _Keys:
    login, client = _normal_login(login), _normal_client(client)
    # A client never contains '|', so the pair key splits one way only.
    return _Keys(
        pair=f"{PAIR.prefix}:{login}|{client}",
        client=f"{CLIENT.prefix}:{client}",
        login=f"{LOGIN.prefix}:{login}",
    )


def _live_rows(session: Session, keys: _Keys, now: datetime) -> dict[str, LoginFailure]:
    statement = select(LoginFailure).where(col(LoginFailure.key).in_(keys.all()))
    return {
        row.key: row for row in session.exec(statement) if row.last_failure_at > now - FORGET_AFTER
    }


def check_login_allowed(
    session: Session, *, login: str, client: str, now: datetime | None = None
) -> int:
    """Seconds this client must wait before trying `login` again; 0 means go ahead."""
    now = now or utcnow()
    keys = _keys(login, client)
    rows = _live_rows(session, keys, now)
    limits = [(PAIR, keys.pair), (CLIENT, keys.client)]
    if keys.pair in rows:  # only clients that failed on this account wait for its limit
        limits.append((LOGIN, keys.login))
    wait = 0.0
    for limit, key in limits:
        row = rows.get(key)
        if row is None:
            continue
        until = row.last_failure_at + timedelta(seconds=limit.delay(row.failures))
        wait = max(wait, (until - now).total_seconds())
    return math.ceil(wait) if wait > 0 else 0


def record_login_failure(
    session: Session, *, login: str, client: str, now: datetime | None = None
) -> None:
    """Count one failure against the pair, the client and the login (a counter older than
    FORGET_AFTER starts again from one). One INSERT ... ON CONFLICT, safe under concurrency."""
    now = now or utcnow()
    table = table_of(LoginFailure)
    dialect = session.get_bind().dialect.name
    insert: Callable[[Table], postgresql.Insert | sqlite.Insert]
    if dialect == "postgresql":
        insert = postgresql_insert
    elif dialect == "sqlite":
        insert = sqlite_insert
    else:  # pragma: no cover - the app runs on these two only
        raise NotImplementedError(f"login throttling needs an upsert for {dialect}")
    statement = insert(table).values(
        [{"key": key, "failures": 1, "last_failure_at": now} for key in _keys(login, client).all()]
    )
    stale = table.c.last_failure_at <= now - FORGET_AFTER
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((stale, 1), else_=table.c.failures + 1),
            "last_failure_at": statement.excluded.last_failure_at,
        },
    )
    session.execute(statement)


def begin_login_attempt(
    session: Session, *, login: str, client: str, now: datetime | None = None
) -> int:
    """Seconds to wait (nothing is counted), or 0 after counting this attempt as a failure.

    Commit before checking the password, so that parallel attempts see the count; then call
    `record_login_success` if the password was right. A wrong one needs nothing more.
    A login that cannot be stored (a NUL, a lone surrogate) is `Invalid`: nothing is counted.
    """
    require_storable(login=login)
    wait = check_login_allowed(session, login=login, client=client, now=now)
    if wait == 0:
        record_login_failure(session, login=login, client=client, now=now)
    return wait


def record_login_success(session: Session, *, login: str, client: str) -> None:
    """The attempt counted by `begin_login_attempt` was the right password.

    The pair's counter goes: this client has shown it knows the password, so its next typo starts
    afresh. The client and login counters only give back that one attempt: a guessing client
    that also owns an account must not wipe its count by logging into it, and the account's
    owner logging in must not hand a distributed guesser a fresh free allowance.
    (Must follow `begin_login_attempt`: without that count, giving one back would let a client
    erase a failure with every login to an account of its own.)
    """
    keys = _keys(login, client)
    table = table_of(LoginFailure)
    session.execute(delete(table).where(table.c.key == keys.pair))
    others = [keys.client, keys.login]
    session.execute(
        update(table).where(table.c.key.in_(others)).values(failures=table.c.failures - 1)
    )
    session.execute(delete(table).where(table.c.key.in_(others), table.c.failures <= 0))


def prune_login_failures(session: Session, *, now: datetime | None = None) -> int:
    """Delete the counters nobody has failed on for FORGET_AFTER; returns how many."""
    now = now or utcnow()
    table = table_of(LoginFailure)
    result = session.exec(delete(table).where(table.c.last_failure_at <= now - FORGET_AFTER))
    return result.rowcount or 0
