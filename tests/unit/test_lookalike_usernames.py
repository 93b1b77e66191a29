"""Usernames that only look like another (`aIice` with a capital i for `alice`, `rnallory` for
`mallory`) are refused at registration (form and API's service) and on Edit profile, with one
indexed look-up of the TR39 skeleton; migration 0013 adds and backfills the column, up and down,
on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, insert, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.db import make_engine
from microblog.models import User
from microblog.services import users
from microblog.services.errors import Invalid
from microblog.services.lookalikes import username_skeleton
from microblog.state.auth import RegisterState
from microblog.state.edit_profile import EditProfileState
from tests.conftest import downgrade, migrate
from tests.tab_state import session_token, tab_state

MakeUser = Callable[..., User]
LOOKS_LIKE = "looks too much like an existing one"

PAIRS = [
    ("alice", "aIice"),  # capital i for l
    ("alice", "AIice"),  # ... whatever the case of the rest
    ("mallory", "rnallory"),  # r n for m
    ("Mallory", "rnallory"),
    ("bob", "b0b"),  # zero for o
    ("will1", "willl"),  # one for l
    ("clare", "cIare"),
]
DIFFERENT = [("alice", "alicia"), ("bob", "bobby"), ("will", "vvill"), ("anna", "hanna")]


@pytest.mark.parametrize(("existing", "new"), PAIRS)
def test_confusable_names_share_a_skeleton(existing: str, new: str) -> None:
    assert username_skeleton(existing) == username_skeleton(new)


@pytest.mark.parametrize(("existing", "new"), DIFFERENT)
def test_different_names_do_not(existing: str, new: str) -> None:
    assert username_skeleton(existing) != username_skeleton(new)


def _register(session: Session, username: str) -> User:
    return users.register_user(
        session,
        username=username,
        email=f"{username.lower()}-{len(username)}@example.com",
        password="password123",
        password2="password123",
    )


@pytest.mark.parametrize(("existing", "new"), PAIRS)
def test_registration_refuses_a_lookalike(
    session: Session, make_user: MakeUser, existing: str, new: str
) -> None:
    make_user(session, existing)
    session.commit()
    with pytest.raises(Invalid) as refused:
        _register(session, new)
    assert LOOKS_LIKE in refused.value.errors["username"]
    session.rollback()
    assert session.exec(select(func.count()).select_from(User)).one() == 1


@pytest.mark.parametrize(("existing", "new"), DIFFERENT)
def test_registration_accepts_names_that_merely_resemble(
    session: Session, make_user: MakeUser, existing: str, new: str
) -> None:
    make_user(session, existing)
    assert _register(session, new).username_skeleton == username_skeleton(new)


def test_the_skeleton_is_stored_and_follows_username_changes(
    session: Session, make_user: MakeUser
) -> None:
    john = make_user(session, "john")
    session.commit()
    assert john.username_skeleton == username_skeleton("john")
    users.update_profile(session, user_id=john.id, username="Mike", about_me="")
    session.commit()
    stored = session.exec(select(User.username_skeleton).where(User.id == john.id)).one()
    assert stored == username_skeleton("mike") == "rnike"


def test_edit_profile_refuses_a_lookalike_but_not_your_own_name(
    session: Session, make_user: MakeUser
) -> None:
    make_user(session, "alice")
    bob = make_user(session, "bob")
    session.commit()
    with pytest.raises(Invalid) as refused:
        users.update_profile(session, user_id=bob.id, username="aIice", about_me="")
    assert LOOKS_LIKE in refused.value.errors["username"]
    session.rollback()
    # Your own name in another case, or with a look-alike of itself, is still yours.
    for name in ("BOB", "b0b"):
        assert users.update_profile(session, user_id=bob.id, username=name, about_me="").id
        session.commit()


def test_the_check_is_one_indexed_look_up_among_ten_thousand_users(engine: Engine) -> None:
    """At 10k users the check is one statement, and its query plan uses the skeleton's index
    (no scan of the user table)."""
    now = datetime.now(UTC)
    rows = [
        {
            "username": f"user{i}",
            "username_skeleton": username_skeleton(f"user{i}"),
            "email": f"user{i}@example.com",
            "password_hash": "x",
            "last_seen": now,
            "created": now,
        }
        for i in range(10_000)
    ]
    with engine.begin() as conn:
        conn.execute(insert(User), rows)
        conn.exec_driver_sql("ANALYZE")
    sent: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, *_args) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            message = users._lookalike_username_error(session, "userIO", exclude_id=5)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert LOOKS_LIKE in message  # user10
    [(statement, parameters)] = sent
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(explain + statement, parameters).all()
    described = " ".join(str(part) for row in plan for part in row)
    assert "ix_user_username_skeleton" in described, described


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_the_registration_form_says_so_beside_the_username(
    session: Session, make_user: MakeUser
) -> None:
    make_user(session, "mallory")
    session.commit()
    state = await tab_state(RegisterState, path="/register")
    form = {
        "username": "rnallory",
        "email": "rn@example.com",
        "password": "password123",
        "password2": "password123",
    }
    assert await RegisterState.submit.fn(state, form) is None
    assert LOOKS_LIKE in state.username_error
    assert state.email_error == state.password_error == ""
    session.expire_all()
    assert session.exec(select(func.count()).select_from(User)).one() == 1


@pytest.mark.anyio
@pytest.mark.usefixtures("use_engine")
async def test_edit_profile_says_so_beside_the_username(
    session: Session, make_user: MakeUser
) -> None:
    make_user(session, "alice")
    bob = make_user(session, "bob")
    session.commit()
    state = await tab_state(EditProfileState, token=session_token(session, bob), path="/")
    form = {"username": "aIice", "about_me": "hello"}
    assert await EditProfileState.submit.fn(state, form) is None
    assert LOOKS_LIKE in state.username_error
    session.expire_all()
    assert (bob.username, bob.about_me) == ("bob", None)


# --- migration 0013 ----------------------------------------------------------------------------


def _columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("user")}


def test_migration_backfills_skeletons_and_goes_down_and_up(database_url: str) -> None:
    before = "0013-1"  # the revision 0013 follows, whichever it is
    migrate(database_url, before)
    engine = make_engine(database_url)
    names = ["alice", "aIice", "Mallory", "user10", "susan"]  # two already look alike
    try:
        with engine.begin() as conn:
            for number, name in enumerate(names):
                conn.execute(
                    text(
                        'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
                        "VALUES (:u, :e, 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"u": name, "e": f"user{number}@example.com"},
                )
        migrate(database_url, "0013")
        with engine.connect() as conn:
            rows = conn.execute(text('SELECT username, username_skeleton FROM "user"')).all()
        stored = {name: skeleton for name, skeleton in rows}
        assert stored == {name: username_skeleton(name) for name in names}
        assert stored["alice"] == stored["aIice"]  # kept: they registered before the rule
        with warnings.catch_warnings():  # SQLite cannot reflect the lower() indexes: skipped
            warnings.filterwarnings("ignore", message=".*expression-based index")
            indexes = {index["name"] for index in inspect(engine).get_indexes("user")}
        assert "ix_user_username_skeleton" in indexes

        downgrade(database_url, before)
        engine.dispose()
        assert "username_skeleton" not in _columns(engine)
        with engine.connect() as conn:
            assert conn.execute(text('SELECT count(*) FROM "user"')).scalar() == len(names)

        migrate(database_url)
        engine.dispose()
        assert "username_skeleton" in _columns(engine)
    finally:
        engine.dispose()
