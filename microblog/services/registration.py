"""Registration as the form and the REST API both do it: one rate limit per client address, and,
when the site sends real email, a confirmed address before the first login.

- Rate limit: `API_REGISTER_RATE_LIMIT` (default 10 an hour) per client address, counted in
  the database (services/rate_limits.py) under one key for the form and the API, so switching
  between them gains nothing. Counted and committed before anything else, so a refused or
  failing registration still counts, and a client over the limit costs no password hash.
- With `MAIL_SERVER` set (`verifies_email()`), a new account starts unconfirmed and its owner
  gets a link (`/confirm/<token>`, 48 hours, single use: it only works while the account waits);
  `users.authenticate` refuses an unconfirmed account's right password with `EmailNotConfirmed`,
  and the login form then offers to send the link again (`resend_confirmation`). If the address
  already has an account, its owner gets an email saying someone tried to register with it, and
  the caller is answered exactly as for a new account: the same result, the same password-hash
  cost, so neither the words nor the time tell whether the address is registered. A password
  reset proves the address too (services/password_reset.py).
- Without a mail server (development) accounts are active at once and a taken address is
  reported on the form, as before: nobody could receive a link.

The confirmation token is a JWT (HS256 only) with a purpose claim, the user id and a fingerprint
of the address, like the password-reset link: no token table, and a changed address kills it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlmodel import Session

from microblog.config import get_settings
from microblog.emails import confirm_address_email, registration_attempt_email
from microblog.i18n import _l, _ln
from microblog.models import User, utcnow
from microblog.security import hash_password
from microblog.services import mail_outbox, rate_limits, users
from microblog.services.errors import Forbidden, Invalid, TooManyRequests

PURPOSE = "confirm_email"
CONFIRM_HOURS = 48
# At most one confirmation link, and one "someone tried" notice, per account in this interval.
RESEND_INTERVAL = timedelta(minutes=2)
CHECK_YOUR_EMAIL = _l(
    "Thank you! We have sent an email to the address you gave. Open the link in it to "
    "confirm your address, then log in."
)
INVALID_LINK = _l(
    "This confirmation link is invalid, has been used, or has expired. Log in: if your "
    "address still needs confirming, you can ask for a new link there."
)


@dataclass(frozen=True)
class Registration:
    """What the caller may say: `user` is the new account when it is active at once (no mail
    server); with a mail server it is None whatever happened, and the answer is "check your
    email" (`confirm_by_email`)."""

    user: User | None
    confirm_by_email: bool


def verifies_email() -> bool:
    return bool(get_settings().mail_server)


def registration_limit() -> rate_limits.RateLimit:
    requests, window = get_settings().api_register_rate_limit
    return rate_limits.RateLimit("register", requests, window)


def too_many_registrations(seconds: int) -> str:
    if seconds < 120:
        return _ln(
            "Too many registrations from your address. Try again in %(num)d second.",
            "Too many registrations from your address. Try again in %(num)d seconds.",
            seconds,
        )
    return _ln(
        "Too many registrations from your address. Try again in %(num)d minute.",
        "Too many registrations from your address. Try again in %(num)d minutes.",
        math.ceil(seconds / 60),
    )


def register_account(
    session: Session,
    *,
    client: str,
    username: str,
    email: str,
    password: str,
    password2: str,
    now: datetime | None = None,
) -> Registration:
    """Register from `client` (the form's or the API's client address). Raises
    `TooManyRequests` past the limit and `Invalid` for wrong fields (never "that address is
    registered" when the site verifies addresses). Commits the rate-limit count first."""
    wait = rate_limits.hit(session, limit=registration_limit(), client=client, now=now)
    if wait:
        raise TooManyRequests(too_many_registrations(wait), retry_after=wait)
    session.commit()  # the count stands whatever happens next
    if not verifies_email():
        user = users.register_user(
            session, username=username, email=email, password=password, password2=password2
        )
        return Registration(user=user, confirm_by_email=False)
    now = now or utcnow()
    owner = users.find_user_by_email(session, email)
    try:
        user = users.register_user(
            session, username=username, email=email, password=password, password2=password2
        )
    except Invalid as problem:
        errors = {
            field: message
            for field, message in problem.errors.items()
            if owner is None or field != "email"
        }
        if errors or owner is None:
            raise Invalid(errors or problem.errors) from None
        # Only the address was wrong, and it has an owner: tell them, answer as for anyone.
        hash_password(password)  # what a new account costs, so the time tells nothing
        _tell_owner(session, owner, now)
        return Registration(user=None, confirm_by_email=True)
    user.email_confirmed = False
    user.confirmation_sent_at = now
    session.add(user)
    _send_link(session, user, now)
    return Registration(user=None, confirm_by_email=True)


def _recently(moment: datetime | None, now: datetime) -> bool:
    if moment is None:
        return False
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return now - aware < RESEND_INTERVAL


def _tell_owner(session: Session, owner: User, now: datetime) -> None:
    """At most one notice per account every RESEND_INTERVAL (counted like a rate limit, per
    account rather than per client), so the form cannot be used to flood an address."""
    limit = rate_limits.RateLimit("registration-notice", 1, int(RESEND_INTERVAL.total_seconds()))
    if rate_limits.hit(session, limit=limit, client=f"user:{owner.id}", now=now):
        return
    mail_outbox.queue_email(
        session,
        registration_attempt_email(
            username=owner.username, email=owner.email, language=owner.language
        ),
    )


def _send_link(session: Session, user: User, now: datetime) -> None:
    mail_outbox.queue_email(
        session,
        confirm_address_email(
            username=user.username,
            email=user.email,
            token=make_confirmation_token(user, now=now),
            hours=CONFIRM_HOURS,
            language=user.language,
        ),
    )


def resend_confirmation(session: Session, *, user_id: int, now: datetime | None = None) -> bool:
    """Queue a new link for an account still waiting for confirmation; False when there is
    nothing to send (confirmed already, or a link went out less than RESEND_INTERVAL ago)."""
    now = now or utcnow()
    user = users.get_user(session, user_id)
    if user.email_confirmed or _recently(user.confirmation_sent_at, now):
        return False
    user.confirmation_sent_at = now
    session.add(user)
    _send_link(session, user, now)
    return True


# -- the link ---------------------------------------------------------------------------------


def _fingerprint(address: str) -> str:
    return hashlib.sha256(address.lower().encode()).hexdigest()[:16]


def make_confirmation_token(user: User, *, now: datetime | None = None) -> str:
    now = now or utcnow()
    claims = {
        "purpose": PURPOSE,
        "sub": str(user.id),
        "adr": _fingerprint(user.email),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=CONFIRM_HOURS)).timestamp()),
    }
    return jwt.encode(claims, get_settings().secret_key, algorithm="HS256")


def confirm_email(session: Session, *, token: str) -> User:
    """Activate the account this link was sent for; `Forbidden(INVALID_LINK)` when the link is
    expired, tampered with, for another purpose or address, or already used (the account is
    confirmed). Logs nobody in."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=["HS256"],
            options={"require": ["exp", "sub", "purpose", "adr"]},
        )
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Forbidden(INVALID_LINK) from None
    user = session.get(User, user_id) if claims.get("purpose") == PURPOSE else None
    if user is None or user.email_confirmed or claims.get("adr") != _fingerprint(user.email):
        raise Forbidden(INVALID_LINK)
    user.email_confirmed = True
    session.add(user)
    return user
