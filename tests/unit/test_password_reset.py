"""Password reset: one answer for everyone, a link from PUBLIC_URL, a token that works once."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import jwt
import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.models import User, utcnow
from microblog.security import hash_password
from microblog.services import api_tokens, auth_sessions, password_reset, users
from microblog.services.errors import Forbidden, Invalid
from tests.outbox import queued

BASE = "https://blog.example.org"


@pytest.fixture(autouse=True)
def base_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PUBLIC_URL", BASE)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _link(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()
    line = next(line for line in text.splitlines() if "/reset_password/" in line)
    return line.strip()


def _token(message: EmailMessage) -> str:
    return _link(message).rsplit("/", 1)[1]


def test_unknown_address_gets_nothing_to_send(session: Session, make_user) -> None:
    make_user(session, "susan")
    assert password_reset.request_password_reset(session, email="nobody@example.com") is False
    assert password_reset.request_password_reset(session, email="not an address") is False
    assert queued(session) == []


def test_known_address_gets_a_link_built_from_base_url(session: Session, make_user) -> None:
    susan = make_user(session, "susan")
    assert password_reset.request_password_reset(session, email="SUSAN@example.com") is True
    (message,) = queued(session)  # in the request's own transaction
    assert message["To"] == susan.email
    assert _link(message).startswith(f"{BASE}/reset_password/")
    html = message.get_body(("html",)).get_content()
    assert f"{BASE}/reset_password/{_token(message)}" in html
    assert password_reset.user_for_token(session, _token(message)).id == susan.id


def test_requests_are_rate_limited_per_account(session: Session, make_user) -> None:
    make_user(session, "susan")
    now = utcnow()
    first = password_reset.request_password_reset(session, email="susan@example.com", now=now)
    again = password_reset.request_password_reset(
        session, email="susan@example.com", now=now + timedelta(seconds=30)
    )
    later = password_reset.request_password_reset(
        session,
        email="susan@example.com",
        now=now + password_reset.REQUEST_INTERVAL + timedelta(seconds=1),
    )
    assert (first, again, later) == (True, False, True)
    assert len(queued(session)) == 2


def test_a_rolled_back_request_queues_nothing_and_counts_nothing(
    session: Session, make_user
) -> None:
    make_user(session, "susan")
    session.commit()
    assert password_reset.request_password_reset(session, email="susan@example.com")
    session.rollback()
    assert queued(session) == []
    assert password_reset.request_password_reset(session, email="susan@example.com")


def test_reset_sets_the_password_ends_sessions_and_works_once(session: Session, make_user) -> None:
    susan = make_user(session, "susan")
    ticket = auth_sessions.issue_login_ticket(
        session, user_id=susan.id, remember=True, next_path="/"
    )
    token_raw, _, _ = auth_sessions.redeem_login_ticket(
        session, ticket=ticket, remember_days=30, default_hours=12
    )
    assert auth_sessions.resolve_session(session, token=token_raw) is not None
    api_token = api_tokens.issue_token(session, user_id=susan.id, lifetime_seconds=3600)
    assert api_tokens.resolve_token(session, token=api_token) is not None
    token = password_reset.make_reset_token(susan)

    password_reset.reset_password(
        session, token=token, password="brand new pass", password2="brand new pass"
    )

    assert users.authenticate(session, login="susan", password="brand new pass").id == susan.id
    assert users.authenticate(session, login="susan", password="password123") is None
    assert auth_sessions.resolve_session(session, token=token_raw) is None
    assert api_tokens.resolve_token(session, token=api_token) is None
    with pytest.raises(Forbidden, match="invalid or has expired"):
        password_reset.reset_password(
            session, token=token, password="another pass 1", password2="another pass 1"
        )


def test_any_password_change_kills_older_links(session: Session, make_user) -> None:
    susan = make_user(session, "susan")
    token = password_reset.make_reset_token(susan)
    susan.password_hash = hash_password("changed elsewhere")
    session.add(susan)
    session.flush()
    assert password_reset.user_for_token(session, token) is None


def test_bad_new_password_changes_nothing(session: Session, make_user) -> None:
    susan = make_user(session, "susan")
    token = password_reset.make_reset_token(susan)
    with pytest.raises(Invalid) as problem:
        password_reset.reset_password(session, token=token, password="short", password2="short")
    assert "password" in problem.value.errors
    with pytest.raises(Invalid) as mismatch:
        password_reset.reset_password(
            session, token=token, password="long enough 1", password2="long enough 2"
        )
    assert "password2" in mismatch.value.errors
    assert password_reset.user_for_token(session, token).id == susan.id  # still usable


def test_expired_tampered_or_foreign_tokens_are_refused(session: Session, make_user) -> None:
    susan: User = make_user(session, "susan")
    secret = get_settings().secret_key
    expired = password_reset.make_reset_token(
        susan, now=utcnow() - timedelta(minutes=password_reset.TOKEN_MINUTES + 1)
    )
    valid = password_reset.make_reset_token(susan)
    claims = jwt.decode(valid, secret, algorithms=["HS256"])
    other_purpose = jwt.encode({**claims, "purpose": "api"}, secret, algorithm="HS256")
    with warnings.catch_warnings():  # HS512 wants a longer key; the point is that it is refused
        warnings.simplefilter("ignore")
        other_algorithm = jwt.encode(claims, secret, algorithm="HS512")
    other_key = jwt.encode(claims, "not-our-secret-key-at-all-0123456789", algorithm="HS256")
    unsigned = jwt.encode(claims, None, algorithm="none")
    tampered = valid[:-3] + ("AAA" if not valid.endswith("AAA") else "BBB")
    for token in (expired, other_purpose, other_algorithm, other_key, unsigned, tampered, ""):
        assert password_reset.user_for_token(session, token) is None, token
        with pytest.raises(Forbidden):
            password_reset.reset_password(
                session, token=token, password="brand new pass", password2="brand new pass"
            )
    assert users.authenticate(session, login="susan", password="password123").id == susan.id
