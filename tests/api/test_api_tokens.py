"""POST/DELETE /api/tokens over real HTTP: HTTP Basic in, a bearer token out; revocation,
expiry, the login form's password check and its throttle."""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlmodel import Session, select

from microblog.models import ApiToken, User, utcnow
from microblog.security import hash_token
from tests.api.conftest import PASSWORD, Account, ApiServer, basic, bearer, unique_name


def test_basic_credentials_get_a_random_token_stored_only_as_its_hash(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me: Account = make_account()
    response = api.post("/tokens", headers=basic(me.username, PASSWORD))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    token = response.json()["token"]
    assert set(response.json()) == {"token"}
    assert len(base64.urlsafe_b64decode(token + "==")) >= 16  # at least 128 random bits
    assert token != me.token
    with Session(api_server.engine) as db:
        rows = db.exec(select(ApiToken).where(ApiToken.user_id == me.id)).all()
    assert hash_token(token) in {row.token_hash for row in rows}
    assert token not in {row.token_hash for row in rows}  # never the token itself
    row = next(row for row in rows if row.token_hash == hash_token(token))
    expires_at = row.expires_at
    assert timedelta(minutes=59) < expires_at - utcnow() <= timedelta(hours=1)
    assert api.get(f"/users/{me.id}", headers=bearer(token)).status_code == 200


def test_email_works_as_the_login_and_so_does_a_non_ascii_password(
    api: httpx.Client, make_account
) -> None:
    name = unique_name("uni")
    password = "pässwörd-ünïcode"
    created = api.post(
        "/users", json={"username": name, "email": f"{name}@example.com", "password": password}
    )
    assert created.status_code == 201
    response = api.post("/tokens", headers=basic(f"{name.upper()}@EXAMPLE.COM", password))
    assert response.status_code == 200, response.text


def test_wrong_missing_or_malformed_credentials_are_401_with_a_basic_challenge(
    api: httpx.Client, make_account
) -> None:
    me: Account = make_account()
    attempts = [
        basic(me.username, "wrong password"),
        basic("nobody-" + unique_name(), PASSWORD),
        {},
        {"Authorization": "Basic !!!not-base64!!!"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        bearer(me.token),  # a token is not how you get a token
    ]
    for headers in attempts:
        response = api.post("/tokens", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Basic")
        assert response.json()["error"] == "Unauthorized"
        assert response.json()["message"]


def test_revoking_a_token_kills_it_at_once(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    other = api.post("/tokens", headers=basic(me.username, PASSWORD)).json()["token"]
    assert api.delete("/tokens", headers=me.headers).status_code == 204
    response = api.get(f"/users/{me.id}", headers=me.headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert api.delete("/tokens", headers=me.headers).status_code == 401  # already dead
    assert api.get(f"/users/{me.id}", headers=bearer(other)).status_code == 200  # others live


def test_delete_without_a_token_is_401(api: httpx.Client) -> None:
    assert api.delete("/tokens").status_code == 401
    assert api.delete("/tokens", headers=bearer("made-up")).status_code == 401


def test_an_expired_token_is_refused(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me: Account = make_account()
    with api_server.engine.begin() as conn:
        # Through the column's type: Python 3.12+ deprecates sqlite3's own datetime adapter.
        conn.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hash_token(me.token))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    response = api.get(f"/users/{me.id}", headers=me.headers)
    assert response.status_code == 401
    assert response.json() == {
        "error": "Unauthorized",
        "message": "A valid bearer token is required.",
    }


def test_password_guessing_meets_the_login_throttle(api: httpx.Client, make_account) -> None:
    """The login form's throttle: 5 free failures per (login, client), then growing waits,
    during which even the right password is not checked."""
    me: Account = make_account()
    statuses = [
        api.post("/tokens", headers=basic(me.username, f"guess{i}")).status_code for i in range(6)
    ]
    assert statuses == [401] * 6
    refused = api.post("/tokens", headers=basic(me.username, PASSWORD))
    assert refused.status_code == 429
    assert refused.json()["error"] == "Too Many Requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 2


def test_the_right_password_of_an_unconfirmed_account_is_not_counted_as_a_guess(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    """As on the login form: the owner of an account that waits for its address to be
    confirmed is told why, however often they ask, and is never throttled for it."""
    me: Account = make_account()
    with Session(api_server.engine) as db:
        db.execute(update(User).where(User.id == me.id).values(email_confirmed=False))
        db.commit()
    statuses = {
        api.post("/tokens", headers=basic(me.username, PASSWORD)).status_code for _ in range(8)
    }
    assert statuses == {403}
