"""Accounts: registration, credentials, profiles, last-seen."""

from __future__ import annotations

import re
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from microblog.models import ABOUT_ME_MAX, User, utcnow
from microblog.security import burn_password_check, hash_password, verify_password
from microblog.services.errors import Invalid, NotFound

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")
PASSWORD_MIN = 8
PASSWORD_MAX = 256


def find_user_by_username(session: Session, username: str) -> User | None:
    statement = select(User).where(func.lower(User.username) == username.strip().lower())
    return session.exec(statement).first()


def find_user_by_login(session: Session, login: str) -> User | None:
    """A user by username or email, ignoring case."""
    login = login.strip().lower()
    column = User.email if "@" in login else User.username
    return session.exec(select(User).where(func.lower(column) == login)).first()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def get_user_by_username(session: Session, username: str) -> User:
    user = find_user_by_username(session, username)
    if user is None:
        raise NotFound(f"User {username} not found.")
    return user


def _username_error(session: Session, username: str, *, exclude_id: int | None = None) -> str:
    if not username:
        return "Please choose a username."
    if not USERNAME_RE.match(username):
        return (
            "Usernames are 3 to 32 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    existing = find_user_by_username(session, username)
    if existing is not None and existing.id != exclude_id:
        return "That username is taken. Please choose another."
    return ""


def _normalized_email(email: str) -> tuple[str, str]:
    """(normalized email, error)."""
    if not email:
        return "", "Please enter your email address."
    try:
        info = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "", "Please enter a valid email address."
    return info.normalized.lower(), ""


def password_errors(password: str, password2: str) -> dict[str, str]:
    """The rules for a new password (registration and reset), as field -> message."""
    if len(password) < PASSWORD_MIN:
        return {"password": f"Passwords need at least {PASSWORD_MIN} characters."}
    if len(password) > PASSWORD_MAX:
        return {"password": f"Passwords can have at most {PASSWORD_MAX} characters."}
    if password != password2:
        return {"password2": "The two passwords do not match."}
    return {}


def find_user_by_email(session: Session, email: str) -> User | None:
    normalized, problem = _normalized_email(email.strip())
    if problem:
        return None
    return session.exec(select(User).where(func.lower(User.email) == normalized)).first()


def register_user(
    session: Session, *, username: str, email: str, password: str, password2: str
) -> User:
    """Create an account, or raise `Invalid` with one message per field that is wrong."""
    username = username.strip()
    errors: dict[str, str] = {}
    if message := _username_error(session, username):
        errors["username"] = message
    normalized, message = _normalized_email(email.strip())
    if message:
        errors["email"] = message
    elif session.exec(select(User.id).where(func.lower(User.email) == normalized)).first():
        errors["email"] = "That email address is already registered."
    errors.update(password_errors(password, password2))
    if errors:
        raise Invalid(errors)
    user = User(username=username, email=normalized, password_hash=hash_password(password))
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # a concurrent registration took the name or address first
        raise Invalid({"username": "That username or email address was just taken."}) from None
    return user


def authenticate(session: Session, *, login: str, password: str) -> User | None:
    """The user these credentials belong to, or None.

    The cost is the same whether or not the user exists, so timing tells nothing. A hash made
    with older parameters is upgraded on the way.
    """
    user = find_user_by_login(session, login) if login.strip() else None
    if user is None:
        burn_password_check(password)
        return None
    ok, new_hash = verify_password(password, user.password_hash)
    if not ok:
        return None
    if new_hash:
        user.password_hash = new_hash
        session.add(user)
    return user


def update_profile(
    session: Session,
    *,
    user_id: int,
    username: str,
    about_me: str,
    email_on_follow: bool | None = None,
) -> User:
    """Change the profile; `email_on_follow` None leaves that setting as it is."""
    user = get_user(session, user_id)
    username = username.strip()
    about_me = about_me.strip()
    errors: dict[str, str] = {}
    if username != user.username and (
        message := _username_error(session, username, exclude_id=user.id)
    ):
        errors["username"] = message
    if len(about_me) > ABOUT_ME_MAX:
        errors["about_me"] = f"About me can have at most {ABOUT_ME_MAX} characters."
    if errors:
        raise Invalid(errors)
    user.username = username
    user.about_me = about_me or None
    if email_on_follow is not None:
        user.email_on_follow = email_on_follow
    session.add(user)
    session.flush()
    return user


def touch_last_seen(session: Session, *, user_id: int, throttle_seconds: int) -> bool:
    """Record activity, at most once per `throttle_seconds` per user.

    A single conditional UPDATE: a burst of events costs one cheap no-op statement each instead
    of a write (and, on SQLite, a database lock) each.
    """
    now = utcnow()
    result = session.execute(
        update(User)
        .where(col(User.id) == user_id)
        .where(col(User.last_seen) < now - timedelta(seconds=throttle_seconds))
        .values(last_seen=now)
    )
    return bool(result.rowcount)
