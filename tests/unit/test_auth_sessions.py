"""Login tickets and server-side sessions: single use, expiry, revocation, nothing reusable
stored in the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from microblog.models import AuthSession, LoginTicket, User, utcnow
from microblog.security import hash_token
from microblog.services.auth_sessions import (
    TICKET_SECONDS,
    end_all_sessions,
    end_session,
    issue_login_ticket,
    redeem_login_ticket,
    resolve_session,
    session_user,
)

REMEMBER_DAYS = 30
DEFAULT_HOURS = 12


@pytest.fixture
def john(session: Session, add_user: Callable[..., User]) -> User:
    user = add_user(session, "john")
    session.commit()
    return user


def _redeem(session: Session, ticket: str) -> tuple[str, AuthSession, str] | None:
    return redeem_login_ticket(
        session, ticket=ticket, remember_days=REMEMBER_DAYS, default_hours=DEFAULT_HOURS
    )


def _login(session: Session, user: User, *, remember: bool = False) -> str:
    """A session token, the way the login flow makes one."""
    ticket = issue_login_ticket(session, user_id=user.id, remember=remember, next_path="/")
    session.commit()
    redeemed = _redeem(session, ticket)
    session.commit()
    assert redeemed is not None
    return redeemed[0]


def test_ticket_works_once(session: Session, john: User) -> None:
    """A ticket seen in a log or browser history must be worthless afterwards."""
    ticket = issue_login_ticket(session, user_id=john.id, remember=False, next_path="/explore")
    session.commit()

    redeemed = _redeem(session, ticket)
    session.commit()
    assert redeemed is not None
    token, auth, next_path = redeemed
    assert next_path == "/explore"
    assert auth.user_id == john.id
    assert resolve_session(session, token=token).id == auth.id

    assert _redeem(session, ticket) is None
    session.commit()
    assert session.exec(select(LoginTicket)).all() == []


def test_unknown_ticket_is_refused(session: Session, john: User) -> None:
    assert _redeem(session, "made-up-ticket") is None
    assert _redeem(session, "") is None


def test_ticket_is_stored_hashed(session: Session, john: User) -> None:
    ticket = issue_login_ticket(session, user_id=john.id, remember=True, next_path=None)
    session.commit()
    row = session.exec(select(LoginTicket)).one()
    assert row.ticket_hash != ticket
    assert row.ticket_hash == hash_token(ticket)
    assert row.next_path == "/"
    lifetime = row.expires_at - utcnow()
    assert timedelta(0) < lifetime <= timedelta(seconds=TICKET_SECONDS)


def test_expired_ticket_is_refused(session: Session, john: User) -> None:
    ticket = issue_login_ticket(session, user_id=john.id, remember=False, next_path="/")
    session.commit()
    row = session.exec(select(LoginTicket)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()

    assert _redeem(session, ticket) is None
    session.commit()
    assert session.exec(select(AuthSession)).all() == []
    assert session.exec(select(LoginTicket)).all() == []  # spent even though refused


def test_issuing_sweeps_expired_tickets(session: Session, john: User) -> None:
    stale = LoginTicket(
        ticket_hash=hash_token("stale"), user_id=john.id, expires_at=utcnow() - timedelta(hours=1)
    )
    session.add(stale)
    session.commit()
    fresh = issue_login_ticket(session, user_id=john.id, remember=False, next_path="/")
    session.commit()
    hashes = session.exec(select(LoginTicket.ticket_hash)).all()
    assert hashes == [hash_token(fresh)]


@pytest.mark.parametrize(
    ("next_path", "stored"),
    [
        ("//evil.com", "/"),
        ("https://evil.com/x", "/"),
        ("/\\evil.com", "/"),
        ("/user/susan?page=2", "/user/susan?page=2"),
    ],
)
def test_ticket_keeps_only_a_safe_next_path(
    session: Session, john: User, next_path: str, stored: str
) -> None:
    """The redirect after login comes from the ticket, so the ticket must never hold an
    off-site target."""
    ticket = issue_login_ticket(session, user_id=john.id, remember=False, next_path=next_path)
    session.commit()
    assert session.exec(select(LoginTicket.next_path)).one() == stored
    redeemed = _redeem(session, ticket)
    assert redeemed is not None and redeemed[2] == stored


@pytest.mark.parametrize(
    ("remember", "low", "high"),
    [
        (True, timedelta(days=REMEMBER_DAYS) - timedelta(minutes=1), timedelta(days=REMEMBER_DAYS)),
        (
            False,
            timedelta(hours=DEFAULT_HOURS) - timedelta(minutes=1),
            timedelta(hours=DEFAULT_HOURS),
        ),
    ],
)
def test_session_lifetime_depends_on_remember_me(
    session: Session, john: User, remember: bool, low: timedelta, high: timedelta
) -> None:
    token = _login(session, john, remember=remember)
    auth = resolve_session(session, token=token)
    assert auth is not None and auth.remember is remember
    lifetime = auth.expires_at - utcnow()
    assert low < lifetime <= high


def test_session_token_is_stored_hashed(session: Session, john: User) -> None:
    """A leaked database must not yield working cookies."""
    token = _login(session, john)
    stored = session.exec(select(AuthSession.token_hash)).one()
    assert stored != token
    assert token not in stored
    assert stored == hash_token(token)
    assert resolve_session(session, token=stored) is None  # the hash itself is no cookie


@pytest.mark.parametrize("token", ["", "unknown-token"])
def test_resolve_unknown_token(session: Session, john: User, token: str) -> None:
    _login(session, john)
    assert resolve_session(session, token=token) is None


def test_resolve_expired_session(session: Session, john: User) -> None:
    token = _login(session, john, remember=True)
    auth = resolve_session(session, token=token)
    auth.expires_at = utcnow() - timedelta(seconds=1)
    session.add(auth)
    session.commit()
    assert resolve_session(session, token=token) is None


def test_end_session_revokes_only_that_token(session: Session, john: User) -> None:
    first, second = _login(session, john), _login(session, john)
    end_session(session, token=first)
    session.commit()
    assert resolve_session(session, token=first) is None
    assert resolve_session(session, token=second) is not None


def test_end_all_sessions_can_keep_the_current_one(
    session: Session, john: User, add_user: Callable[..., User]
) -> None:
    """After a password change: log out everywhere except the browser that changed it."""
    susan = add_user(session, "susan")
    keep, drop1, drop2 = (_login(session, john) for _ in range(3))
    susans = _login(session, susan)

    assert end_all_sessions(session, user_id=john.id, except_token=keep) == 2
    session.commit()
    assert resolve_session(session, token=keep) is not None
    assert resolve_session(session, token=drop1) is None
    assert resolve_session(session, token=drop2) is None
    assert resolve_session(session, token=susans) is not None  # other users untouched

    assert end_all_sessions(session, user_id=john.id) == 1
    session.commit()
    assert resolve_session(session, token=keep) is None
    assert resolve_session(session, token=susans) is not None


def test_deleting_user_ends_their_sessions(session: Session, john: User) -> None:
    token = _login(session, john)
    session.delete(john)
    session.commit()
    assert resolve_session(session, token=token) is None


def test_session_user_names_the_live_sessions_user(session: Session, john: User) -> None:
    token = _login(session, john)
    found = session_user(session, token=token)
    assert found is not None
    assert (found.user_id, found.username, found.email) == (john.id, "john", john.email)
    assert found.last_seen == john.last_seen


@pytest.mark.parametrize("token", ["", "unknown-token"])
def test_session_user_of_an_unknown_token_is_nobody(
    session: Session, john: User, token: str
) -> None:
    _login(session, john)
    assert session_user(session, token=token) is None


def test_session_user_refuses_expired_revoked_and_hashed_tokens(
    session: Session, john: User
) -> None:
    expired, revoked, live = _login(session, john), _login(session, john), _login(session, john)
    auth = resolve_session(session, token=expired)
    auth.expires_at = utcnow() - timedelta(seconds=1)
    session.add(auth)
    end_session(session, token=revoked)
    session.commit()
    assert session_user(session, token=expired) is None
    assert session_user(session, token=revoked) is None
    assert session_user(session, token=hash_token(live)) is None
    assert session_user(session, token=live) is not None


def test_seen_within_tells_when_activity_needs_recording(session: Session, john: User) -> None:
    john.last_seen = utcnow() - timedelta(seconds=90)
    session.add(john)
    session.commit()
    found = session_user(session, token=_login(session, john))
    assert found is not None
    assert found.seen_within(120)
    assert not found.seen_within(60)
