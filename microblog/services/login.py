"""A login attempt, the one rule behind the login form and `POST /api/tokens`: throttle, check
the password, record the outcome, then hand out what the caller logs in with (a login ticket for
the browser, a bearer token for the API).

The attempt is counted before the slow hash and committed at once (services/login_throttle.py),
so a burst of parallel guesses sees each other's counts; that is the one commit made here, the
rest is the caller's unit of work. The right password of an account whose address is not
confirmed yet gives its count back like any right password, and is answered with why.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from microblog.services import api_tokens, auth_sessions, login_throttle, users
from microblog.services.errors import EmailNotConfirmed


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of one attempt; exactly one of these holds:

    - `credential`: the password was right; the ticket or token that logs the user in;
    - `wait`: throttled, try again in this many seconds (no password was checked);
    - `unconfirmed`: the password was right, but the address waits for its confirmation;
    - none of them: wrong username or password.
    """

    credential: str = ""
    wait: int = 0
    unconfirmed: EmailNotConfirmed | None = None


def _attempt(
    session: Session,
    *,
    login: str,
    password: str,
    client: str,
    issue: Callable[[int], str],
) -> LoginAttempt:
    """Throttle, authenticate, record; then `issue(user_id)` for a right password."""
    wait = login_throttle.begin_login_attempt(session, login=login, client=client)
    if wait:
        return LoginAttempt(wait=wait)
    session.commit()  # counted before the slow hash, so parallel guesses see it
    try:
        user = users.authenticate(session, login=login, password=password)
    except EmailNotConfirmed as unconfirmed:
        login_throttle.record_login_success(session, login=login, client=client)
        return LoginAttempt(unconfirmed=unconfirmed)
    if user is None:
        return LoginAttempt()
    login_throttle.record_login_success(session, login=login, client=client)
    if secrets.randbelow(login_throttle.PRUNE_ONE_IN) == 0:
        login_throttle.prune_login_failures(session)
    return LoginAttempt(credential=issue(user.id or 0))


def log_in(
    session: Session,
    *,
    login: str,
    password: str,
    client: str,
    remember: bool,
    next_path: str,
) -> LoginAttempt:
    """The login form: a login ticket (services/auth_sessions.py) that the browser redeems for
    its session cookie, coming back to `next_path`. A login or password that cannot be stored
    (a NUL, a lone surrogate) is `Invalid`, and nothing is counted."""
    return _attempt(
        session,
        login=login,
        password=password,
        client=client,
        issue=lambda user_id: auth_sessions.issue_login_ticket(
            session, user_id=user_id, remember=remember, next_path=next_path
        ),
    )


def create_api_token(
    session: Session, *, login: str, password: str, client: str, lifetime_seconds: int
) -> LoginAttempt:
    """`POST /api/tokens`: a bearer token (services/api_tokens.py) valid `lifetime_seconds`."""
    return _attempt(
        session,
        login=login,
        password=password,
        client=client,
        issue=lambda user_id: api_tokens.issue_token(
            session, user_id=user_id, lifetime_seconds=lifetime_seconds
        ),
    )
