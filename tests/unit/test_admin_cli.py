"""The operator's commands, `python -m microblog user ...` and `post ...` (microblog/admin.py),
run as a real subprocess against a migrated database of their own: a SQLite file, and a
PostgreSQL schema when TEST_DATABASE_URL is set. What they change is checked in the database
and through the services the login form and the API use."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from microblog.config import PROJECT_ROOT, normalize_database_url
from microblog.db import make_engine
from microblog.models import ApiToken, AuthSession, Post, User
from microblog.services import api_tokens, auth_sessions, users
from microblog.services.announcements import is_admin
from microblog.services.posts import create_post
from tests.conftest import migrate

PASSWORD = "correct horse battery"


@dataclass
class Cli:
    url: str
    engine: Engine

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABASE_URL": self.url, "MICROBLOG_ENV": "test"}
        env.pop("REDIS_URL", None)
        return subprocess.run(
            [sys.executable, "-m", "microblog", *args],
            cwd=PROJECT_ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def user(self, username: str) -> User:
        with Session(self.engine) as db:
            found = users.find_user_by_username(db, username)
            assert found is not None
            return found

    def login(self, login: str, password: str) -> User | None:
        with Session(self.engine) as db:
            return users.authenticate(db, login=login, password=password)


@pytest.fixture
def cli(database_url: str) -> Iterator[Cli]:
    migrate(database_url)
    engine = make_engine(normalize_database_url(database_url))
    try:
        yield Cli(database_url, engine)
    finally:
        engine.dispose()


def _signed_in(engine: Engine, user_id: int) -> tuple[str, str]:
    """A browser session and an API token for the user, as the login form and the API make
    them."""
    with Session(engine) as db:
        ticket = auth_sessions.issue_login_ticket(
            db, user_id=user_id, remember=False, next_path="/"
        )
        redeemed = auth_sessions.redeem_login_ticket(
            db, ticket=ticket, remember_days=1, default_hours=1
        )
        token = api_tokens.issue_token(db, user_id=user_id, lifetime_seconds=3600)
        db.commit()
    assert redeemed is not None
    return redeemed[0], token


def _access(engine: Engine, user_id: int) -> tuple[int, int]:
    with Session(engine) as db:
        sessions = db.exec(select(AuthSession).where(AuthSession.user_id == user_id)).all()
        tokens = db.exec(select(ApiToken).where(ApiToken.user_id == user_id)).all()
    return len(sessions), len(tokens)


def test_create_a_user_and_an_admin(cli: Cli) -> None:
    made = cli("user", "create", "alice", "Alice@Example.com", "--password-stdin", stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    assert "Created alice" in made.stdout and PASSWORD not in made.stdout
    alice = cli.user("alice")
    assert (alice.email, alice.email_confirmed, alice.is_admin) == (
        "alice@example.com",
        True,
        False,
    )
    assert not is_admin(alice)
    assert cli.login("alice", PASSWORD) is not None

    admin = cli("user", "create", "root", "root@example.com", "--admin")  # password made here
    assert admin.returncode == 0, admin.stderr
    assert "an administrator" in admin.stdout
    generated = admin.stdout.split("Password: ", 1)[1].strip()
    assert len(generated) >= 16
    root = cli.user("root")
    assert root.is_admin and is_admin(root)
    assert cli.login("root@example.com", generated) is not None


def test_create_refuses_what_registration_refuses(cli: Cli) -> None:
    assert (
        cli(
            "user", "create", "alice", "a@example.com", "--password-stdin", stdin=PASSWORD
        ).returncode
        == 0
    )
    taken = cli("user", "create", "ALICE", "b@example.com", "--password-stdin", stdin=PASSWORD)
    short = cli("user", "create", "bob", "bob@example.com", "--password-stdin", stdin="short")
    for refused in (taken, short):
        assert refused.returncode == 1
        assert refused.stderr.startswith("Refused: ")
    assert "taken" in taken.stderr.lower()
    with Session(cli.engine) as db:
        assert [u.username for u in db.exec(select(User)).all()] == ["alice"]


def test_reset_password_ends_sessions_and_tokens(cli: Cli) -> None:
    cli("user", "create", "alice", "a@example.com", "--password-stdin", stdin=PASSWORD)
    alice = cli.user("alice")
    _signed_in(cli.engine, alice.id or 0)
    assert _access(cli.engine, alice.id or 0) == (1, 1)
    reset = cli(
        "user", "reset-password", "alice", "--password-stdin", stdin="a new long password\n"
    )
    assert reset.returncode == 0, reset.stderr
    assert _access(cli.engine, alice.id or 0) == (0, 0)
    assert cli.login("alice", PASSWORD) is None
    assert cli.login("alice", "a new long password") is not None
    generated = cli("user", "reset-password", "alice")
    password = generated.stdout.split("Password: ", 1)[1].strip()
    assert cli.login("alice", password) is not None
    missing = cli("user", "reset-password", "nobody", "--password-stdin", stdin=PASSWORD)
    assert missing.returncode == 1 and "not found" in missing.stderr


def test_disable_and_enable(cli: Cli) -> None:
    cli("user", "create", "alice", "a@example.com", "--password-stdin", stdin=PASSWORD)
    alice = cli.user("alice")
    cookie, token = _signed_in(cli.engine, alice.id or 0)
    with Session(cli.engine) as db:  # a login under way: the password was already checked
        ticket = auth_sessions.issue_login_ticket(
            db, user_id=alice.id or 0, remember=False, next_path="/"
        )
        db.commit()

    disabled = cli("user", "disable", "alice")
    assert disabled.returncode == 0, disabled.stderr
    assert "1 session(s) ended" in disabled.stdout
    assert cli.user("alice").disabled
    assert _access(cli.engine, alice.id or 0) == (0, 0)
    assert cli.login("alice", PASSWORD) is None  # the right password, refused
    with Session(cli.engine) as db:
        assert auth_sessions.session_user(db, token=cookie) is None
        assert api_tokens.resolve_token(db, token=token) is None
        redeemed = auth_sessions.redeem_login_ticket(
            db, ticket=ticket, remember_days=1, default_hours=1
        )
        assert redeemed is None

    enabled = cli("user", "enable", "alice")
    assert enabled.returncode == 0, enabled.stderr
    assert not cli.user("alice").disabled
    assert cli.login("alice", PASSWORD) is not None
    assert cli("user", "disable", "nobody").returncode == 1


def test_delete_any_post(cli: Cli) -> None:
    cli("user", "create", "alice", "a@example.com", "--password-stdin", stdin=PASSWORD)
    cli("user", "create", "bob", "b@example.com", "--password-stdin", stdin=PASSWORD)
    alice, bob = cli.user("alice"), cli.user("bob")
    with Session(cli.engine) as db:
        post = create_post(db, author_id=alice.id or 0, body="a question")
        db.flush()
        reply = create_post(db, author_id=bob.id or 0, body="an answer", reply_to_id=post.id)
        db.commit()
        post_id, reply_id = post.id or 0, reply.id or 0
    deleted = cli("post", "delete", str(reply_id))
    assert deleted.returncode == 0, deleted.stderr
    with Session(cli.engine) as db:
        assert db.get(Post, reply_id) is None
        kept = db.get(Post, post_id)
        assert kept is not None and kept.reply_count == 0
    missing = cli("post", "delete", str(reply_id))
    assert missing.returncode == 1 and "No such post" in missing.stderr
