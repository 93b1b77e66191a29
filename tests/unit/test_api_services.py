"""The services the REST API added: tokens, rate limits, counts for a page of users, the user
collection, account changes and one post with its author. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert
from sqlmodel import Session, select

from microblog.models import ApiToken, Follow, LoginFailure, Post, User
from microblog.schemas import UserCounts, UserPublic
from microblog.security import hash_token
from microblog.services import api_tokens, login_throttle, posts, rate_limits, users
from microblog.services.errors import Invalid, NotFound

AddUser = Callable[..., User]
T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


# -- api_tokens ------------------------------------------------------------------------------


def test_token_is_random_stored_hashed_and_expires(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    token = api_tokens.issue_token(session, user_id=john.id, lifetime_seconds=3600, now=T0)
    session.commit()
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    row = session.exec(select(ApiToken)).one()
    assert row.token_hash == hash_token(token) != token
    assert row.expires_at == T0 + timedelta(hours=1)
    found = api_tokens.resolve_token(session, token=token, now=T0 + timedelta(minutes=59))
    assert found is not None and found.id == john.id
    assert api_tokens.resolve_token(session, token=token, now=T0 + timedelta(hours=1)) is None


def test_unknown_empty_and_revoked_tokens_resolve_to_nobody(
    session: Session, add_user: AddUser
) -> None:
    john = add_user(session, "john")
    token = api_tokens.issue_token(session, user_id=john.id, lifetime_seconds=60)
    session.commit()
    assert api_tokens.resolve_token(session, token="") is None
    assert api_tokens.resolve_token(session, token=token + "x") is None
    assert api_tokens.resolve_token(session, token=hash_token(token)) is None  # the hash is no key
    assert api_tokens.revoke_token(session, token=token) is True
    assert api_tokens.resolve_token(session, token=token) is None
    assert api_tokens.revoke_token(session, token=token) is False


def test_each_request_gets_its_own_token_and_old_ones_are_swept(
    session: Session, add_user: AddUser
) -> None:
    john, mary = add_user(session, "john"), add_user(session, "mary")
    expired = api_tokens.issue_token(session, user_id=john.id, lifetime_seconds=60, now=T0)
    marys = api_tokens.issue_token(session, user_id=mary.id, lifetime_seconds=60, now=T0)
    later = T0 + timedelta(minutes=5)
    first = api_tokens.issue_token(session, user_id=john.id, lifetime_seconds=60, now=later)
    second = api_tokens.issue_token(session, user_id=john.id, lifetime_seconds=60, now=later)
    session.commit()
    assert first != second
    hashes = set(session.exec(select(ApiToken.token_hash)).all())
    # john's expired token went when he got a new one; mary's (also expired) is hers to sweep.
    assert hashes == {hash_token(first), hash_token(second), hash_token(marys)}
    assert hash_token(expired) not in hashes


def test_a_user_keeps_only_the_newest_tokens(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    tokens = [
        api_tokens.issue_token(session, user_id=john.id, lifetime_seconds=600)
        for _ in range(api_tokens.MAX_TOKENS_PER_USER + 3)
    ]
    session.commit()
    live = [t for t in tokens if api_tokens.resolve_token(session, token=t) is not None]
    assert live == tokens[3:]


def test_revoke_all_tokens(session: Session, add_user: AddUser) -> None:
    john, mary = add_user(session, "john"), add_user(session, "mary")
    for user in (john, john, mary):
        api_tokens.issue_token(session, user_id=user.id, lifetime_seconds=60)
    assert api_tokens.revoke_all_tokens(session, user_id=john.id) == 2
    assert session.exec(select(func.count()).select_from(ApiToken)).one() == 1


# -- rate_limits -----------------------------------------------------------------------------

LIMIT = rate_limits.RateLimit("tokens", requests=3, window=60)


def test_rate_limit_counts_per_client_within_a_window(session: Session) -> None:
    waits = [
        rate_limits.hit(session, limit=LIMIT, client="203.0.113.7", now=T0 + timedelta(seconds=i))
        for i in range(5)
    ]
    assert waits[:3] == [0, 0, 0]
    assert waits[3:] == [57, 56]  # until the window that opened at T0 ends
    # Another client, and another limit, have their own counts.
    assert rate_limits.hit(session, limit=LIMIT, client="198.51.100.20", now=T0) == 0
    other = rate_limits.RateLimit("register", requests=3, window=60)
    assert rate_limits.hit(session, limit=other, client="203.0.113.7", now=T0) == 0


def test_rate_limit_window_reopens(session: Session) -> None:
    for _ in range(4):
        rate_limits.hit(session, limit=LIMIT, client="203.0.113.7", now=T0)
    after = T0 + timedelta(seconds=60)
    assert rate_limits.hit(session, limit=LIMIT, client="203.0.113.7", now=after) == 0
    row = session.exec(select(LoginFailure).where(LoginFailure.key.startswith("rate:"))).one()
    assert (row.failures, row.last_failure_at) == (1, after)


def test_rate_limit_counts_an_ipv6_network_as_one_client(session: Session) -> None:
    for i in range(3):
        assert rate_limits.hit(session, limit=LIMIT, client=f"2001:db8::{i + 1}", now=T0) == 0
    assert rate_limits.hit(session, limit=LIMIT, client="2001:db8::ffff", now=T0) > 0


def test_rate_limit_rows_do_not_disturb_the_login_throttle(session: Session) -> None:
    for _ in range(10):
        rate_limits.hit(session, limit=LIMIT, client="203.0.113.7", now=T0)
    assert login_throttle.check_login_allowed(session, login="x", client="203.0.113.7", now=T0) == 0
    # And the throttle's pruning forgets them once their window is long over.
    login_throttle.prune_login_failures(session, now=T0 + timedelta(hours=2))
    assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0


# -- users: counts, the collection, account changes ------------------------------------------


def test_user_counts_for_a_page_in_one_statement(
    session: Session, add_user: AddUser, engine
) -> None:
    a, b, c = (add_user(session, name) for name in ("amy", "bob", "cat"))
    session.execute(
        insert(Post),
        [{"body": "x", "user_id": a.id} for _ in range(3)] + [{"body": "y", "user_id": b.id}],
    )
    session.execute(
        insert(Follow),
        [
            {"follower_id": a.id, "followed_id": b.id},
            {"follower_id": c.id, "followed_id": b.id},
            {"follower_id": b.id, "followed_id": a.id},
        ],
    )
    session.commit()
    statements: list[str] = []
    from sqlalchemy import event

    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        counts = users.user_counts(session, user_ids=[a.id, b.id, c.id, 999_999])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len(statements) == 1
    assert counts == {
        a.id: UserCounts(posts=3, followers=1, following=1),
        b.id: UserCounts(posts=1, followers=2, following=1),
        c.id: UserCounts(posts=0, followers=0, following=1),
    }
    assert users.user_counts(session, user_ids=[]) == {}


def test_list_users_pages_in_registration_order_with_a_total(
    session: Session, add_user: AddUser
) -> None:
    made = [add_user(session, f"user{i}") for i in range(5)]
    session.commit()
    first = users.list_users(session, page=1, per_page=2, count=True)
    last = users.list_users(session, page=3, per_page=2, count=True)
    assert [u.username for u in first.items] == ["user0", "user1"]
    assert (first.total, first.total_pages, first.has_next, first.has_prev) == (5, 3, True, False)
    assert [u.id for u in last.items] == [made[4].id]
    assert (last.has_next, last.has_prev) == (False, True)
    assert users.list_users(session, page=9, per_page=2).items == []
    # Rows read as plain columns make the same UserPublic as the ORM object does.
    made[0].about_me = "Hi"
    session.commit()
    assert users.list_users(session, page=1, per_page=1).items == [UserPublic.of(made[0])]


def test_change_email_normalizes_and_refuses_a_taken_or_bad_address(
    session: Session, add_user: AddUser
) -> None:
    john, _mary = add_user(session, "john"), add_user(session, "mary")
    users.change_email(session, user_id=john.id, email="  John.New@Example.COM ")
    assert john.email == "john.new@example.com"
    with pytest.raises(Invalid) as taken:
        users.change_email(session, user_id=john.id, email="MARY@example.com")
    assert set(taken.value.errors) == {"email"}
    with pytest.raises(Invalid):
        users.change_email(session, user_id=john.id, email="not an address")
    with pytest.raises(NotFound):
        users.change_email(session, user_id=999_999, email="x@example.com")


def test_update_account_reports_every_bad_field_at_once(
    session: Session, add_user: AddUser
) -> None:
    john, _mary = add_user(session, "john"), add_user(session, "mary")
    session.commit()
    with pytest.raises(Invalid) as caught:
        users.update_account(
            session, user_id=john.id, username="mary", email="nope", about_me="x" * 141
        )
    assert set(caught.value.errors) == {"username", "email", "about_me"}
    session.rollback()
    users.update_account(session, user_id=john.id, about_me="Hello")
    session.commit()
    again = session.get(User, john.id)
    assert (again.username, again.email, again.about_me) == ("john", "john@example.com", "Hello")
    users.update_account(session, user_id=john.id, username="johnny", about_me="")
    assert (again.username, again.about_me) == ("johnny", None)


# -- posts -----------------------------------------------------------------------------------


def test_get_post_row_has_the_author(session: Session, add_user: AddUser) -> None:
    john = add_user(session, "john")
    post = posts.create_post(session, author_id=john.id, body="  hello  ")
    session.commit()
    row = posts.get_post_row(session, post_id=post.id)
    assert (row.id, row.body, row.author_id, row.author_username) == (
        post.id,
        "hello",
        john.id,
        "john",
    )
    assert row.timestamp.endswith("Z")
    with pytest.raises(NotFound):
        posts.get_post_row(session, post_id=post.id + 1)
