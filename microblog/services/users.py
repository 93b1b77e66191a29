"""Accounts: registration, credentials, profiles, last-seen."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Integer, Row, bindparam, event, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect
from sqlmodel import Session, col, select

from microblog.i18n import LANGUAGES, _l
from microblog.models import ABOUT_ME_MAX, EMAIL_MAX, Follow, Post, User, table_of, utcnow
from microblog.schemas import Page, UserCounts, UserPublic
from microblog.security import burn_password_check, hash_password, verify_password
from microblog.services.errors import EmailNotConfirmed, Invalid, NotFound
from microblog.services.lookalikes import username_skeleton
from microblog.services.pagination import make_page, page_window
from microblog.services.text import is_storable, require_storable, unstorable_text_error

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")
PASSWORD_MIN = 8
PASSWORD_MAX = 256


def find_user_by_username(session: Session, username: str) -> User | None:
    if not is_storable(username):  # no user has such a name, and PostgreSQL refuses a NUL
        return None
    statement = select(User).where(func.lower(User.username) == username.strip().lower())
    return session.exec(statement).first()


def find_user_by_login(session: Session, login: str) -> User | None:
    """A user by username or email, ignoring case."""
    if not is_storable(login):  # no user has such a name, and PostgreSQL refuses a NUL
        return None
    login = login.strip().lower()
    column = User.email if "@" in login else User.username
    return session.exec(select(User).where(func.lower(column) == login)).first()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such user."))
    return user


def get_user_by_username(session: Session, username: str) -> User:
    user = find_user_by_username(session, username)
    if user is None:
        raise NotFound(_l("User %(username)s not found.", username=username))
    return user


def _username_error(session: Session, username: str, *, exclude_id: int | None = None) -> str:
    if not username:
        return _l("Please choose a username.")
    if not is_storable(username):
        return unstorable_text_error()
    if not USERNAME_RE.match(username):
        return _l(
            "Usernames are 3 to 32 characters: letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    existing = find_user_by_username(session, username)
    if existing is not None and existing.id != exclude_id:
        return _l("That username is taken. Please choose another.")
    return _lookalike_username_error(session, username, exclude_id=exclude_id)


def _lookalike_username_error(session: Session, username: str, *, exclude_id: int | None) -> str:
    """A message when `username` could be mistaken for another user's name (`aIice` for
    `alice`, `rnallory` for `mallory`): their TR39 skeletons are equal (services/lookalikes.py).
    One look-up on the indexed `username_skeleton` column, however many users there are."""
    statement = select(User.id).where(User.username_skeleton == username_skeleton(username))
    if exclude_id is not None:
        statement = statement.where(col(User.id) != exclude_id)
    if session.exec(statement.limit(1)).first() is None:
        return ""
    return _l("That username looks too much like an existing one. Please choose another.")


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_username_skeleton(_mapper: object, _connection: object, user: User) -> None:
    """Every user written through the ORM (registration, a username change, the API, the
    tests' factories) carries the skeleton of its current name, so the look-up above never
    compares against a stale one. Bulk inserts (the seed) set it themselves."""
    user.username_skeleton = username_skeleton(user.username)


def _normalized_email(email: str) -> tuple[str, str]:
    """(normalized email, error)."""
    if not email:
        return "", _l("Please enter your email address.")
    if not is_storable(email):
        return "", unstorable_text_error()
    try:
        info = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "", _l("Please enter a valid email address.")
    if max(len(email), len(info.normalized)) > EMAIL_MAX:  # the column's size
        return "", _l("Email addresses can have at most %(max)d characters.", max=EMAIL_MAX)
    return info.normalized.lower(), ""


def password_errors(password: str, password2: str) -> dict[str, str]:
    """The rules for a new password (registration and reset), as field -> message."""
    if not is_storable(password):  # it could not even be hashed
        return {"password": unstorable_text_error()}
    if not is_storable(password2):
        return {"password2": unstorable_text_error()}
    if len(password) < PASSWORD_MIN:
        return {"password": _l("Passwords need at least %(min)d characters.", min=PASSWORD_MIN)}
    if len(password) > PASSWORD_MAX:
        return {"password": _l("Passwords can have at most %(max)d characters.", max=PASSWORD_MAX)}
    if password != password2:
        return {"password2": _l("The two passwords do not match.")}
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
        errors["email"] = _l("That email address is already registered.")
    errors.update(password_errors(password, password2))
    if errors:
        raise Invalid(errors)
    user = User(username=username, email=normalized, password_hash=hash_password(password))
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # a concurrent registration took the name or address first
        raise Invalid({"username": _l("That username or email address was just taken.")}) from None
    return user


def authenticate(session: Session, *, login: str, password: str) -> User | None:
    """The user these credentials belong to, or None.

    The cost is the same whether or not the user exists, so timing tells nothing. A hash made
    with older parameters is upgraded on the way. Right credentials of an account whose address
    is not confirmed yet raise `EmailNotConfirmed` (services/registration.py). A disabled
    account (services/accounts.py) is answered as a wrong password is, so the form tells nobody
    which accounts are disabled. A login or password that could not be stored or hashed (a
    NUL, a lone surrogate) is `Invalid`.
    """
    require_storable(login=login, password=password)
    user = find_user_by_login(session, login) if login.strip() else None
    if user is None:
        burn_password_check(password)
        return None
    ok, new_hash = verify_password(password, user.password_hash)
    # A disabled or suspended account gets the wrong password's answer.
    if not ok or user.disabled or user.suspended:
        return None
    if not user.email_confirmed:  # said only to whoever knows the password
        raise EmailNotConfirmed(user_id=user.id or 0)
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
    email_on_mention: bool | None = None,
) -> User:
    """Change the profile; an email setting given as None is left as it is."""
    user = get_user(session, user_id)
    username = username.strip()
    about_me = about_me.strip()
    errors: dict[str, str] = {}
    if username != user.username and (
        message := _username_error(session, username, exclude_id=user.id)
    ):
        errors["username"] = message
    if not is_storable(about_me):
        errors["about_me"] = unstorable_text_error()
    elif len(about_me) > ABOUT_ME_MAX:
        errors["about_me"] = _l("About me can have at most %(max)d characters.", max=ABOUT_ME_MAX)
    if errors:
        raise Invalid(errors)
    user.username = username
    user.about_me = about_me or None
    if email_on_follow is not None:
        user.email_on_follow = email_on_follow
    if email_on_mention is not None:
        user.email_on_mention = email_on_mention
    session.add(user)
    session.flush()
    return user


def touch_last_seen(session: Session, *, user_id: int, throttle_seconds: int) -> bool:
    """Record activity, at most once per `throttle_seconds` per user.

    A single conditional UPDATE: a burst of events costs one cheap no-op statement each instead
    of a write (and, on SQLite, a database lock) each.
    """
    now = utcnow()
    result = session.exec(
        update(User)
        .where(col(User.id) == user_id)
        .where(col(User.last_seen) < now - timedelta(seconds=throttle_seconds))
        .values(last_seen=now)
    )
    return bool(result.rowcount)


# Built once (the API's user collection runs them on every request). Plain columns, not User
# objects: a page of rows needs no identity map, and building 100 ORM objects cost more than
# the query.
_USER = table_of(User).c
_USERS_PAGE = (
    sa_select(
        _USER.id,
        _USER.username,
        _USER.email,
        _USER.about_me,
        _USER.last_seen,
        _USER.created,
        _USER.avatar,
    )
    .order_by(_USER.id)
    .offset(bindparam("offset", type_=Integer))
    .limit(bindparam("limit", type_=Integer))
)
_USERS_TOTAL = sa_select(func.count()).select_from(table_of(User))


def _public_of_columns(row: Row[*tuple[Any, ...]]) -> UserPublic:
    """`UserPublic.of` for a row of `_USERS_PAGE` (a unit test checks both agree)."""
    return UserPublic.of_columns(*row)


def list_users(
    session: Session, *, page: int, per_page: int, count: bool = False
) -> Page[UserPublic]:
    """Everyone, oldest account first (the API's user collection), on the primary key."""
    offset, limit = page_window(page, per_page)
    rows = session.execute(_USERS_PAGE, {"offset": offset, "limit": limit}).all()
    total = int(session.execute(_USERS_TOTAL).scalar_one()) if count else None
    return make_page(rows, page=page, per_page=per_page, to_item=_public_of_columns, total=total)


def _count_for_user(column: ColumnElement[int]) -> ScalarSelect[int]:
    """COUNT(*) of the rows whose `column` is the outer user's id: a correlated, index-only
    range count ((user_id, ...) on post, the two (follower, followed) indexes on follow)."""
    users = table_of(User)
    return sa_select(func.count()).where(column == users.c.id).correlate(users).scalar_subquery()


# One statement for any number of users, built once. Each user costs three index range counts
# (about their posts + followers + following index entries), never a scan of the tables: the
# tutorial's `user.posts.count()` per user and per field made its page of users do ~13 req/s.
_USER_COUNTS = sa_select(
    table_of(User).c.id,
    _count_for_user(table_of(Post).c.user_id),
    _count_for_user(table_of(Follow).c.followed_id),
    _count_for_user(table_of(Follow).c.follower_id),
).where(table_of(User).c.id.in_(bindparam("ids", expanding=True)))


def user_counts(session: Session, *, user_ids: Sequence[int]) -> dict[int, UserCounts]:
    """Posts, followers and following of each user (a page of them at once); ids of users
    that do not exist are absent from the result."""
    if not user_ids:
        return {}
    rows = session.execute(_USER_COUNTS, {"ids": list(user_ids)}).all()
    return {
        user_id: UserCounts(posts=posts, followers=followers, following=following)
        for user_id, posts, followers, following in rows
    }


def change_email(session: Session, *, user_id: int, email: str) -> User:
    """A new email address, checked and normalized like at registration, unique ignoring case."""
    user = get_user(session, user_id)
    normalized, message = _normalized_email(email.strip())
    if message:
        raise Invalid({"email": message})
    if normalized == user.email:
        return user
    taken = session.exec(
        select(User.id).where(func.lower(User.email) == normalized, col(User.id) != user_id)
    ).first()
    if taken is not None:
        raise Invalid({"email": _l("That email address is already registered.")})
    user.email = normalized
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError:  # a concurrent registration took the address first
        raise Invalid({"email": _l("That email address was just taken.")}) from None
    return user


def update_account(
    session: Session,
    *,
    user_id: int,
    username: str | None = None,
    email: str | None = None,
    about_me: str | None = None,
) -> User:
    """Change any of username, email and about me (None keeps it), all or nothing: every field
    that is wrong is reported at once, and nothing is written unless all are right (the caller
    rolls back on `Invalid`)."""
    user = get_user(session, user_id)
    errors: dict[str, str] = {}
    try:
        update_profile(
            session,
            user_id=user_id,
            username=user.username if username is None else username,
            about_me=(user.about_me or "") if about_me is None else about_me,
        )
    except Invalid as problem:
        errors.update(problem.errors)
    if email is not None:
        try:
            change_email(session, user_id=user_id, email=email)
        except Invalid as problem:
            errors.update(problem.errors)
    if errors:
        raise Invalid(errors)
    return user


def set_language(session: Session, *, user_id: int, language: str) -> User:
    """The UI language chosen by the user (also the language of their emails)."""
    if language not in LANGUAGES:
        raise Invalid({"language": _l("Unknown language.")})
    user = get_user(session, user_id)
    user.language = language
    session.add(user)
    return user


def get_or_set_language(session: Session, *, user_id: int, language: str) -> str:
    """The user's saved language; a user who never chose one keeps `language` (what their
    browser showed them before they logged in), so their emails follow it too."""
    user = get_user(session, user_id)
    if user.language in LANGUAGES:
        return user.language
    if language in LANGUAGES:
        user.language = language
        session.add(user)
    return language


_PUBLIC_COLUMNS = (
    col(User.id),
    col(User.username),
    col(User.email),
    col(User.about_me),
    col(User.last_seen),
    col(User.created),
    col(User.avatar),
)


def public_users(session: Session, *, user_ids: Sequence[int]) -> dict[int, UserPublic]:
    """The public face of each of these users (a page's authors at once), by id; suspended
    and unknown ids are absent."""
    if not user_ids:
        return {}
    statement = sa_select(*_PUBLIC_COLUMNS).where(
        col(User.id).in_(list(set(user_ids))), col(User.suspended).is_(False)
    )
    return {row[0]: UserPublic.of_columns(*row) for row in session.execute(statement).all()}


def public_users_by_name(session: Session, *, usernames: Sequence[str]) -> list[UserPublic]:
    """`public_users` by username (any case), in the order asked."""
    if not usernames:
        return []
    wanted = [name.lower() for name in usernames]
    statement = sa_select(*_PUBLIC_COLUMNS).where(
        func.lower(User.username).in_(wanted), col(User.suspended).is_(False)
    )
    found = {row[1].lower(): UserPublic.of_columns(*row) for row in session.execute(statement)}
    return [found[name] for name in wanted if name in found]
