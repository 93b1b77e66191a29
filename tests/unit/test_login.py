"""A login attempt (services/login.py), the one rule behind the login form and `POST
/api/tokens`: the same throttle, the same password check and the same bookkeeping, whichever
credential comes out of it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from microblog.models import LoginFailure, User
from microblog.services import api_tokens, auth_sessions
from microblog.services.login import LoginAttempt, create_api_token, log_in

CLIENT = "203.0.113.7"


def _form(session: Session, login: str, password: str) -> LoginAttempt:
    return log_in(
        session, login=login, password=password, client=CLIENT, remember=False, next_path="/x"
    )


def _api(session: Session, login: str, password: str) -> LoginAttempt:
    return create_api_token(
        session, login=login, password=password, client=CLIENT, lifetime_seconds=60
    )


def _user_of_form_ticket(session: Session, ticket: str) -> int:
    redeemed = auth_sessions.redeem_login_ticket(
        session, ticket=ticket, remember_days=1, default_hours=1
    )
    assert redeemed is not None
    found = auth_sessions.session_user(session, token=redeemed[0])
    assert found is not None
    assert redeemed[2] == "/x"  # back where the form was asked to go
    return found.user_id


def _user_of_api_token(session: Session, token: str) -> int:
    found = api_tokens.resolve_token(session, token=token)
    assert found is not None
    return found.id or 0


ATTEMPTS = [
    pytest.param(_form, _user_of_form_ticket, id="form"),
    pytest.param(_api, _user_of_api_token, id="api"),
]


def _failures(session: Session) -> dict[str, int]:
    session.expire_all()
    return {row.key: row.failures for row in session.exec(select(LoginFailure))}


@pytest.mark.parametrize(("attempt", "user_of"), ATTEMPTS)
def test_right_password_gives_a_working_credential_and_its_count_back(
    session: Session,
    make_user: Callable[..., User],
    attempt: Callable[..., LoginAttempt],
    user_of: Callable[[Session, str], int],
) -> None:
    alice = make_user(session, "alice")
    session.commit()
    wrong = attempt(session, "alice", "wrong password")
    session.commit()
    assert wrong == LoginAttempt()  # nothing to log in with, nothing to wait for
    assert set(_failures(session).values()) == {1}

    right = attempt(session, "ALICE", "password123")
    session.commit()
    assert right.wait == 0 and right.unconfirmed is None
    assert user_of(session, right.credential) == alice.id
    # The pair's count is gone; the client and login keep only the wrong guess.
    assert sorted(_failures(session).values()) == [1, 1]


@pytest.mark.parametrize(("attempt", "user_of"), ATTEMPTS)
def test_a_throttled_attempt_checks_no_password(
    session: Session,
    make_user: Callable[..., User],
    attempt: Callable[..., LoginAttempt],
    user_of: Callable[[Session, str], int],
) -> None:
    make_user(session, "alice")
    session.commit()
    for _ in range(6):
        assert attempt(session, "alice", "guess").credential == ""
        session.commit()
    held = attempt(session, "alice", "password123")
    assert held.credential == "" and 1 <= held.wait <= 2
    assert max(_failures(session).values()) == 6  # a refused attempt is not counted


@pytest.mark.parametrize(("attempt", "user_of"), ATTEMPTS)
def test_an_unconfirmed_account_is_told_why_and_its_right_password_is_no_guess(
    session: Session,
    make_user: Callable[..., User],
    attempt: Callable[..., LoginAttempt],
    user_of: Callable[[Session, str], int],
) -> None:
    alice = make_user(session, "alice")
    session.execute(update(User).where(User.id == alice.id).values(email_confirmed=False))
    session.commit()
    for _ in range(8):  # more than the pair's free failures
        outcome = attempt(session, "alice", "password123")
        session.commit()
        assert outcome.credential == "" and outcome.wait == 0
        assert outcome.unconfirmed is not None and outcome.unconfirmed.user_id == alice.id
    assert _failures(session) == {}
