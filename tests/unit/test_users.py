"""Accounts: registration rules, login, profile edits and the last-seen throttle."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import argon2.low_level
import pytest
from passlib.hash import argon2 as passlib_argon2
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.models import User, utcnow
from microblog.security import burn_password_check
from microblog.services.errors import Invalid, NotFound
from microblog.services.users import (
    authenticate,
    get_user_by_username,
    register_user,
    touch_last_seen,
    update_profile,
)

MakeUser = Callable[..., User]


def _count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def _register(session: Session, **overrides: str) -> User:
    fields = {
        "username": "alice",
        "email": "alice@example.com",
        "password": "password123",
        "password2": "password123",
    }
    fields.update(overrides)
    return register_user(session, **fields)


# -- registration -----------------------------------------------------------------------------


def test_register_stores_normalised_email_and_a_hash(session: Session) -> None:
    user = _register(session, username="  alice ", email="  Alice@Example.COM ")
    session.commit()
    stored = session.exec(select(User)).one()
    assert stored.id == user.id
    assert stored.username == "alice"
    assert stored.email == "alice@example.com"
    assert stored.password_hash != "password123"
    assert stored.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": ""}, "username"),
        ({"username": "   "}, "username"),
        ({"username": "ab"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "-dash"}, "username"),
        ({"username": "x" * 33}, "username"),
        ({"email": ""}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"password": "short", "password2": "short"}, "password"),
        ({"password": "x" * 257, "password2": "x" * 257}, "password"),
        ({"password2": "password124"}, "password2"),
    ],
)
def test_register_field_errors(session: Session, overrides: dict[str, str], field: str) -> None:
    """Each rule reports against its own field, and a refused registration writes nothing."""
    with pytest.raises(Invalid) as caught:
        _register(session, **overrides)
    assert set(caught.value.errors) == {field}
    assert caught.value.errors[field]
    session.commit()
    assert _count_users(session) == 0


def test_register_username_taken_ignores_case(session: Session, make_user: MakeUser) -> None:
    make_user(session, "susan")
    with pytest.raises(Invalid) as caught:
        _register(session, username="Susan", email="other@example.com")
    assert set(caught.value.errors) == {"username"}
    assert "taken" in caught.value.errors["username"]
    assert _count_users(session) == 1


def test_register_email_taken_ignores_case(session: Session, make_user: MakeUser) -> None:
    make_user(session, "susan", email="susan@example.com")
    with pytest.raises(Invalid) as caught:
        _register(session, username="susan2", email="SUSAN@Example.com")
    assert set(caught.value.errors) == {"email"}
    assert _count_users(session) == 1


def test_register_reports_every_error_at_once(session: Session, make_user: MakeUser) -> None:
    """The form shows all problems together, not one per submit."""
    make_user(session, "susan")
    with pytest.raises(Invalid) as caught:
        register_user(session, username="SUSAN", email="nope", password="short", password2="other")
    assert set(caught.value.errors) == {"username", "email", "password"}
    assert all(caught.value.message.count(m) for m in caught.value.errors.values())
    with pytest.raises(Invalid) as caught:
        register_user(
            session,
            username="x",
            email="susan@example.com",
            password="password123",
            password2="mismatch99",
        )
    assert set(caught.value.errors) == {"username", "email", "password2"}
    assert _count_users(session) == 1


def test_registration_rolled_back_leaves_nothing(engine: Engine) -> None:
    """A registration inside a transaction that fails later must vanish with it (on SQLite the
    savepoint used for the race check once committed on its own)."""
    with Session(engine) as first:
        _register(first)
        first.rollback()
    with Session(engine) as second:
        assert _count_users(second) == 0


# -- authenticate -----------------------------------------------------------------------------


@pytest.fixture
def susan(session: Session, make_user: MakeUser) -> User:
    user = make_user(session, "Susan", email="susan@example.com", password="cat-and-dog")
    session.commit()
    return user


@pytest.mark.parametrize("login", ["Susan", "susan", "SUSAN", " susan ", "Susan@Example.com"])
def test_authenticate_by_username_or_email_ignoring_case(
    session: Session, susan: User, login: str
) -> None:
    user = authenticate(session, login=login, password="cat-and-dog")
    assert user is not None and user.id == susan.id


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("susan", "cat-and-dog!"),
        ("susan", "CAT-AND-DOG"),
        ("susan", ""),
        ("nobody", "cat-and-dog"),
        ("nobody@example.com", "cat-and-dog"),
        ("", "cat-and-dog"),
        ("   ", "cat-and-dog"),
    ],
)
def test_authenticate_refuses(session: Session, susan: User, login: str, password: str) -> None:
    assert authenticate(session, login=login, password=password) is None


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Counts argon2 verifications and hashes made through argon2-cffi (passlib's backend)."""
    burn_password_check("warm-up")  # the decoy hash is computed once per process; not counted
    calls = {"verify": 0, "hash": 0}
    real_verify = argon2.low_level.verify_secret
    real_hash = argon2.low_level.hash_secret

    def verify(*args: object, **kwargs: object) -> bool:
        calls["verify"] += 1
        return real_verify(*args, **kwargs)

    def hash_(*args: object, **kwargs: object) -> bytes:
        calls["hash"] += 1
        return real_hash(*args, **kwargs)

    monkeypatch.setattr(argon2.low_level, "verify_secret", verify)
    monkeypatch.setattr(argon2.low_level, "hash_secret", hash_)
    yield calls


@pytest.mark.parametrize(
    ("login", "password", "succeeds"),
    [
        ("nobody", "cat-and-dog", False),
        ("susan", "wrong-password", False),
        ("susan", "cat-and-dog", True),
        ("", "cat-and-dog", False),
    ],
)
def test_authenticate_costs_one_argon2_check_whatever_happens(
    session: Session,
    susan: User,
    argon2_calls: dict[str, int],
    login: str,
    password: str,
    succeeds: bool,
) -> None:
    """An unknown name must cost what a wrong password costs, or response times reveal which
    usernames exist."""
    user = authenticate(session, login=login, password=password)
    assert (user is not None) is succeeds
    assert argon2_calls == {"verify": 1, "hash": 0}


def test_authenticate_upgrades_a_weak_hash(session: Session, add_user: MakeUser) -> None:
    """Raising the cost parameters reaches existing users at their next login."""
    user = add_user(session, "olduser")
    weak = passlib_argon2.using(type="ID", memory_cost=1024, time_cost=1, parallelism=1)
    user.password_hash = weak.hash("old-password")
    session.add(user)
    session.commit()

    assert authenticate(session, login="olduser", password="wrong-password") is None
    session.commit()
    assert session.get(User, user.id).password_hash == user.password_hash
    assert "m=1024" in user.password_hash

    assert authenticate(session, login="olduser", password="old-password") is not None
    session.commit()
    stored = session.exec(select(User.password_hash).where(User.id == user.id)).one()
    assert "m=19456" in stored
    assert authenticate(session, login="olduser", password="old-password") is not None


# -- profiles ---------------------------------------------------------------------------------


def test_update_profile_to_taken_name_ignoring_case(session: Session, add_user: MakeUser) -> None:
    add_user(session, "susan")
    john = add_user(session, "john")
    with pytest.raises(Invalid) as caught:
        update_profile(session, user_id=john.id, username="SUSAN", about_me="")
    assert set(caught.value.errors) == {"username"}
    session.commit()
    assert session.get(User, john.id).username == "john"


@pytest.mark.parametrize("username", ["", "a", "bad name!"])
def test_update_profile_rejects_invalid_name(
    session: Session, add_user: MakeUser, username: str
) -> None:
    john = add_user(session, "john")
    with pytest.raises(Invalid) as caught:
        update_profile(session, user_id=john.id, username=username, about_me="")
    assert "username" in caught.value.errors


def test_update_profile_about_me_limit(session: Session, add_user: MakeUser) -> None:
    john = add_user(session, "john")
    with pytest.raises(Invalid) as caught:
        update_profile(session, user_id=john.id, username="john", about_me="x" * 141)
    assert set(caught.value.errors) == {"about_me"}
    user = update_profile(session, user_id=john.id, username="john", about_me=" " + "x" * 140)
    assert user.about_me == "x" * 140


def test_update_profile_can_change_case_of_own_name(session: Session, add_user: MakeUser) -> None:
    """'john' -> 'John' is the same name, so it is not 'taken' by its owner."""
    john = add_user(session, "john")
    user = update_profile(session, user_id=john.id, username="John", about_me="  Hello  ")
    session.commit()
    assert (user.username, user.about_me) == ("John", "Hello")
    assert get_user_by_username(session, "JOHN").id == john.id
    update_profile(session, user_id=john.id, username="John", about_me="   ")
    assert session.get(User, john.id).about_me is None


def test_update_profile_unknown_user(session: Session) -> None:
    with pytest.raises(NotFound):
        update_profile(session, user_id=999, username="ghost", about_me="")


# -- last seen --------------------------------------------------------------------------------


def _last_seen(session: Session, user_id: int) -> datetime:
    return session.exec(select(User.last_seen).where(User.id == user_id)).one()


def test_touch_last_seen_is_throttled(session: Session, add_user: MakeUser) -> None:
    """A burst of events writes once: the first touch after the window updates, the next not."""
    user = add_user(session, "john")
    long_ago = utcnow() - timedelta(hours=2)
    user.last_seen = long_ago
    session.add(user)
    session.commit()

    before = utcnow()
    assert touch_last_seen(session, user_id=user.id, throttle_seconds=60) is True
    session.commit()
    first = _last_seen(session, user.id)
    assert first >= before - timedelta(seconds=1)
    assert first > long_ago

    assert touch_last_seen(session, user_id=user.id, throttle_seconds=60) is False
    session.commit()
    assert _last_seen(session, user.id) == first

    # A zero-length window lets the very next touch through again.
    assert touch_last_seen(session, user_id=user.id, throttle_seconds=0) is True


def test_touch_last_seen_unknown_user(session: Session) -> None:
    assert touch_last_seen(session, user_id=12345, throttle_seconds=60) is False
