"""Login throttling: growing delays per pair, per client and per account, that expire, and that an
attacker cannot turn against the real user. Then the login form, driven without a browser."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, select

from microblog.models import LoginFailure, User
from microblog.services.login_throttle import (
    CLIENT,
    FORGET_AFTER,
    LOGIN,
    PAIR,
    begin_login_attempt,
    check_login_allowed,
    prune_login_failures,
    record_login_failure,
    record_login_success,
)
from microblog.state.auth import INVALID_LOGIN, LoginState, too_many_attempts

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


def _fail(session: Session, times: int, *, login: str = "alice", client: str = ATTACKER) -> None:
    for _ in range(times):
        record_login_failure(session, login=login, client=client, now=T0)
    session.commit()


def _wait(
    session: Session, *, login: str = "alice", client: str = ATTACKER, at: datetime = T0
) -> int:
    return check_login_allowed(session, login=login, client=client, now=at)


def _counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {row.key: row.failures for row in session.exec(select(LoginFailure))}


def test_delay_rule() -> None:
    pair = [0, 0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert [PAIR.delay(n) for n in range(16)] == pair
    assert [CLIENT.delay(n) for n in (20, 21, 29, 30, 10**6)] == [0, 2, 512, 900, 900]
    assert [LOGIN.delay(n) for n in (50, 51, 55, 56, 10**6)] == [0, 2, 32, 60, 60]


def test_pair_is_free_for_five_failures_then_doubles_up_to_five_minutes(session: Session) -> None:
    waits = []
    for _ in range(15):
        _fail(session, 1)
        waits.append(_wait(session))
    assert waits == [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_the_wait_counts_down_and_ends(session: Session) -> None:
    _fail(session, 6)
    assert _wait(session) == 2
    assert _wait(session, at=T0 + timedelta(seconds=1.5)) == 1  # rounded up, never 0 too soon
    assert _wait(session, at=T0 + timedelta(seconds=2)) == 0


def test_a_refused_attempt_is_not_counted(session: Session) -> None:
    _fail(session, 7)
    before = _counts(session)
    assert begin_login_attempt(session, login="alice", client=ATTACKER, now=T0) == 4
    session.commit()
    assert _counts(session) == before


def test_an_attempt_is_counted_before_the_password_is_checked(session: Session) -> None:
    for _ in range(5):
        assert begin_login_attempt(session, login="alice", client=ATTACKER, now=T0) == 0
    session.commit()
    assert _counts(session)[f"pair:alice|{ATTACKER}"] == 5
    assert _wait(session) == 0
    assert begin_login_attempt(session, login="alice", client=ATTACKER, now=T0) == 0
    session.commit()
    assert _wait(session) == 2  # the sixth attempt, however it ends, holds the seventh


def test_the_real_user_elsewhere_is_not_held_by_an_attackers_delay(
    session: Session, make_user: Callable[..., User]
) -> None:
    make_user(session, "alice")
    session.commit()
    _fail(session, 14)
    assert _wait(session) == 300
    assert _wait(session, client=OWNER) == 0
    assert begin_login_attempt(session, login="Alice", client=OWNER, now=T0) == 0
    record_login_success(session, login="Alice", client=OWNER)
    session.commit()
    assert _wait(session) == 300  # the attacker still waits


def test_a_client_guessing_many_accounts_is_held_for_all_of_them(session: Session) -> None:
    for number in range(20):
        _fail(session, 1, login=f"user{number}")
    assert _wait(session, login="someone-new") == 0
    _fail(session, 1, login="user20")
    assert _wait(session, login="someone-new") == 2
    assert _wait(session, login="someone-new", client=OWNER) == 0  # another address is not
    for number in range(21, 40):
        _fail(session, 1, login=f"user{number}")
    assert _wait(session, login="someone-new") == 900


def test_distributed_guessing_slows_one_account_to_a_try_a_minute_at_most(
    session: Session,
) -> None:
    bots = [f"192.0.2.{number}" for number in range(1, 101)]
    for bot in bots[:50]:
        _fail(session, 1, client=bot)
    assert _wait(session, client=bots[0]) == 0
    for bot in bots[50:]:
        _fail(session, 1, client=bot)
    assert _counts(session)["login:alice"] == 100
    assert _wait(session, client=bots[0]) == 60  # capped
    assert _wait(session, client=bots[0], at=T0 + timedelta(seconds=60)) == 0
    # A client without a failure of its own on this account (the owner typing the right
    # password) is never held by it, so bots cannot take every slot from them.
    assert _wait(session, client=OWNER) == 0
    # One that mistyped waits like the bots, a minute at most.
    _fail(session, 1, client=OWNER)
    assert _wait(session, client=OWNER) == 60


def test_known_and_unknown_logins_are_treated_alike(
    session: Session, make_user: Callable[..., User]
) -> None:
    make_user(session, "alice")
    session.commit()
    _fail(session, 7, login="alice")
    _fail(session, 7, login="nobody", client=OWNER)
    assert _wait(session, login="alice") == _wait(session, login="nobody", client=OWNER) == 4
    counts = _counts(session)
    assert counts["login:alice"] == counts["login:nobody"] == 7


def test_login_as_typed_ignores_case_and_spaces(session: Session) -> None:
    _fail(session, 3, login="alice")
    _fail(session, 3, login="  ALICE ")
    assert _wait(session, login="Alice") == 2
    assert set(_counts(session)) == {f"pair:alice|{ATTACKER}", f"client:{ATTACKER}", "login:alice"}


def test_an_ipv6_client_counts_as_its_64_network(session: Session) -> None:
    for host in range(1, 7):  # a fresh address for every guess does not help
        _fail(session, 1, client=f"2001:db8:1:2::{host:x}")
    assert _wait(session, client="2001:db8:1:2:ffff::1") == 2
    assert _wait(session, client="2001:db8:1:3::1") == 0
    assert "client:2001:db8:1:2::/64" in _counts(session)


def test_odd_logins_and_clients_fit_the_key_column(session: Session) -> None:
    long_login = "x" * 500 + "@example.com"
    _fail(session, 6, login=long_login, client="")
    _fail(session, 1, login="mapped", client="::ffff:192.0.2.1")
    _fail(session, 1, login="piped", client="not|an address")
    assert _wait(session, login=long_login, client="") == 2
    keys = _counts(session)
    assert max(len(key) for key in keys) <= 200
    assert "client:unknown" in keys
    assert "client:192.0.2.1" in keys
    assert not any("not|an" in key for key in keys)  # hashed: one '|' per pair key


def test_counters_are_forgotten_an_hour_after_the_last_failure(session: Session) -> None:
    _fail(session, 14)
    assert _wait(session, at=T0 + FORGET_AFTER - timedelta(seconds=1)) == 0  # delay is over
    later = T0 + FORGET_AFTER
    record_login_failure(session, login="alice", client=ATTACKER, now=later)
    session.commit()
    assert set(_counts(session).values()) == {1}  # starts again from one
    assert _wait(session, at=later) == 0


def test_prune_deletes_only_expired_counters(session: Session) -> None:
    _fail(session, 2)
    _fail(session, 1, login="bob", client=OWNER)
    record_login_failure(session, login="carol", client=OWNER, now=T0 + timedelta(minutes=30))
    session.commit()
    assert prune_login_failures(session, now=T0 + timedelta(minutes=59)) == 0
    assert prune_login_failures(session, now=T0 + FORGET_AFTER) == 5
    session.commit()
    assert _counts(session) == {
        f"pair:carol|{OWNER}": 1,
        f"client:{OWNER}": 2,
        "login:carol": 1,
    }


def test_success_clears_the_pair_and_gives_back_only_its_own_attempt(session: Session) -> None:
    _fail(session, 7)
    _fail(session, 1, login="mallory")  # the attacker's own account
    later = T0 + timedelta(seconds=10)
    assert begin_login_attempt(session, login="mallory", client=ATTACKER, now=later) == 0
    record_login_success(session, login="mallory", client=ATTACKER)
    session.commit()
    assert _counts(session) == {
        f"pair:alice|{ATTACKER}": 7,
        f"client:{ATTACKER}": 8,  # logging into its own account erases none of its failures
        "login:alice": 7,
        "login:mallory": 1,
    }
    assert begin_login_attempt(session, login="alice", client=ATTACKER, now=later) == 0
    record_login_success(session, login="alice", client=ATTACKER)
    session.commit()
    counts = _counts(session)
    assert f"pair:alice|{ATTACKER}" not in counts  # its next typo starts afresh
    assert counts["login:alice"] == 7
    assert _wait(session, at=later) == 0


# --- the login form ----------------------------------------------------------------------------


async def _login_form(client: str) -> LoginState:
    root = rx.State()
    root.router = RouterData.from_router_data(
        {"headers": {"origin": "http://localhost:3000"}, "asPath": "/login", "ip": client}
    )
    return await root.get_state(LoginState)


async def _submit(state: LoginState, login: str, password: str) -> Any:
    return await LoginState.submit.fn(state, {"login": login, "password": password})


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_the_form_holds_a_guessing_address_but_not_the_owner(
    session: Session, make_user: Callable[..., User]
) -> None:
    make_user(session, "alice", password="password123")
    session.commit()
    form = await _login_form(ATTACKER)
    for _ in range(6):
        assert await _submit(form, "alice", "wrong password") is None
        assert form.error == INVALID_LOGIN
    assert await _submit(form, "alice", "password123") is None  # refused without a check
    assert form.error.startswith("Too many failed attempts. Try again in ")

    owner = await _login_form(OWNER)
    assert "auth/session?ticket=" in str(await _submit(owner, "alice", "password123"))
    assert owner.error == ""


def test_the_message_says_how_long() -> None:
    assert too_many_attempts(1) == "Too many failed attempts. Try again in 1 second."
    assert too_many_attempts(32) == "Too many failed attempts. Try again in 32 seconds."
    assert too_many_attempts(300) == "Too many failed attempts. Try again in 5 minutes."
    assert too_many_attempts(899) == "Too many failed attempts. Try again in 15 minutes."
