"""Forgotten passwords: a signed, expiring, single-use link by email.

The token is a JWT (HS256 only) with a purpose claim, the user id, a 10-minute `exp`, and a
fingerprint of the current password hash. Changing the password (by this link or any other way)
changes the fingerprint, so a used link, and every older one, stops working: single use with no
token table. A successful reset ends all of the user's sessions and does not log anyone in.

The request answers the same, at once, whether or not the address has an account: the page
hands the address to `request_password_reset_later` and answers without waiting, so the look-up,
the token and the queued email happen after the answer has gone, for known and unknown addresses
alike, and neither the words nor the time tell who is registered. The email goes through the
outbox (services/mail_outbox.py), which retries while the mail server is down.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import jwt
from sqlmodel import Session

from microblog.config import get_settings
from microblog.db import session_scope
from microblog.emails import reset_password_email
from microblog.i18n import _l
from microblog.models import User, utcnow
from microblog.services import accounts, mail_outbox, users
from microblog.services.errors import Forbidden, Invalid

log = logging.getLogger(__name__)

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


def request_password_reset(session: Session, *, email: str, now: datetime | None = None) -> bool:
    """Queue the reset email for the account with this address; False when there is nothing to
    send (no such account, or one was sent very recently). The rate limit and the queued email
    are one transaction: a request whose email is queued is never forgotten, nor counted
    without its email."""
    now = now or utcnow()
    user = users.find_user_by_email(session, email)
    if user is None:
        return False
    last = user.reset_requested_at
    if last is not None and now - _aware(last) < REQUEST_INTERVAL:
        return False
    user.reset_requested_at = now
    session.add(user)
    message = reset_password_email(
        username=user.username,
        email=user.email,
        token=make_reset_token(user, now=now),
        minutes=TOKEN_MINUTES,
        language=user.language,
    )
    mail_outbox.queue_email(session, message)
    return True


# Requests wait here for their turn, off the answer's path. One thread: the work is a look-up
# and an insert; a flood of requests queues up instead of taking every database connection.
_requests = ThreadPoolExecutor(max_workers=1, thread_name_prefix="password-reset")
MAX_WAITING = 10_000  # beyond this many waiting requests, new ones are dropped (and logged)
_waiting = threading.BoundedSemaphore(MAX_WAITING)


def request_password_reset_later(*, email: str) -> None:
    """Handle a reset request after this call returns (the page answers at once); failures are
    logged. The caller says the same to everyone, so nothing here may reach the answer."""
    if not _waiting.acquire(blocking=False):
        log.warning("Too many password-reset requests waiting; one was dropped")
        return
    _requests.submit(_request_in_background, email)


def _request_in_background(email: str) -> None:
    try:
        with session_scope() as session:
            request_password_reset(session, email=email)
    except Exception:
        log.exception("A password-reset request failed")
    finally:
        _waiting.release()


def settle(timeout: float = 60.0) -> None:
    """Wait until the requests handed over so far are done (tests)."""
    _requests.submit(lambda: None).result(timeout=timeout)


def reset_password(session: Session, *, token: str, password: str, password2: str) -> User:
    """Set a new password through a reset link; ends every browser session and API token of the
    user, since whoever knew the old password may hold either. The address is confirmed too."""
    user = user_for_token(session, token)
    if user is None:
        raise Forbidden(INVALID_LINK)
    if errors := users.password_errors(password, password2):
        raise Invalid(errors)
    user = accounts.set_password(session, user_id=user.id or 0, password=password)
    # The link reached the address, which is what confirming it proves: an account still
    # waiting for its confirmation (services/registration.py) can log in from now on.
    user.email_confirmed = True
    session.add(user)
    return user


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)
