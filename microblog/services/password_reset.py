"""Forgotten passwords: a signed, expiring, single-use link by email.

The token is a JWT (HS256 only) with a purpose claim, the user id, a 10-minute `exp`, and a
fingerprint of the current password hash. Changing the password (by this link or any other way)
changes the fingerprint, so a used link, and every older one, stops working: single use with no
token table. A successful reset ends all of the user's sessions and does not log anyone in.

The request answers the same whether or not the address has an account; the caller does the same
amount of mail-server work either way (see state/password_reset.py).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from email.message import EmailMessage

import jwt
from sqlmodel import Session

from microblog.config import get_settings
from microblog.emails import reset_password_email
from microblog.i18n import _l
from microblog.models import User, utcnow
from microblog.security import hash_password
from microblog.services import api_tokens, auth_sessions, users
from microblog.services.errors import Forbidden, Invalid

PURPOSE = "reset_password"
TOKEN_MINUTES = 10
# At most one reset email per account in this interval; more requests get the same answer.
REQUEST_INTERVAL = timedelta(minutes=2)
INVALID_LINK = _l("This password reset link is invalid or has expired. Please ask for a new one.")


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User, *, now: datetime | None = None) -> str:
    now = now or utcnow()
    claims = {
        "purpose": PURPOSE,
        "sub": str(user.id),
        "pwd": _fingerprint(user.password_hash),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=TOKEN_MINUTES)).timestamp()),
    }
    return jwt.encode(claims, get_settings().secret_key, algorithm="HS256")


def user_for_token(session: Session, token: str) -> User | None:
    """The user a still-valid token belongs to, or None (expired, tampered, used, other
    purpose, other algorithm)."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=["HS256"],
            options={"require": ["exp", "sub", "purpose", "pwd"]},
        )
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if claims.get("purpose") != PURPOSE:
        return None
    user = session.get(User, user_id)
    if user is None or claims.get("pwd") != _fingerprint(user.password_hash):
        return None
    return user


def request_password_reset(
    session: Session, *, email: str, now: datetime | None = None
) -> EmailMessage | None:
    """The email to send, or None when there is nothing to send (no such account, or one was
    sent very recently). The caller answers the user the same way in both cases."""
    now = now or utcnow()
    user = users.find_user_by_email(session, email)
    if user is None:
        return None
    last = user.reset_requested_at
    if last is not None and now - _aware(last) < REQUEST_INTERVAL:
        return None
    user.reset_requested_at = now
    session.add(user)
    return reset_password_email(
        username=user.username,
        email=user.email,
        token=make_reset_token(user, now=now),
        minutes=TOKEN_MINUTES,
        language=user.language,
    )


def forget_reset_request(session: Session, *, email: str) -> None:
    """The email could not be sent: let the user ask again at once instead of waiting out the
    rate limit for a message that never left."""
    user = users.find_user_by_email(session, email)
    if user is not None:
        user.reset_requested_at = None
        session.add(user)


def reset_password(session: Session, *, token: str, password: str, password2: str) -> User:
    """Set a new password through a reset link; ends every browser session and API token of the
    user, since whoever knew the old password may hold either."""
    user = user_for_token(session, token)
    if user is None:
        raise Forbidden(INVALID_LINK)
    if errors := users.password_errors(password, password2):
        raise Invalid(errors)
    user.password_hash = hash_password(password)
    session.add(user)
    auth_sessions.end_all_sessions(session, user_id=user.id or 0)
    api_tokens.revoke_all_tokens(session, user_id=user.id or 0)
    return user


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
