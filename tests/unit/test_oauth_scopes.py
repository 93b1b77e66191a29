"""The Mastodon API's guard (microblog/mastodon/auth.py) on a test-only router, SQLite and
PostgreSQL: `require_scope` answers 401 for a missing, unknown or revoked token and for a
suspended account's, 403 outside the token's scopes, 422 for an app's own token; `read` grants
`read:*`, `follow` the follows/blocks/mutes sub-scopes; `optional_caller` lets anyone in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.mastodon.auth import Caller, optional_caller, require_scope
from microblog.mastodon.errors import install_error_handlers
from microblog.models import User, row_id
from microblog.services import api_tokens, oauth

REDIRECT = "https://app.example/cb"


def _app() -> FastAPI:
    router = APIRouter()

    @router.post("/write")
    def write(caller: Annotated[Caller, Depends(require_scope("write:statuses"))]) -> dict:
        return {"user": caller.user_id, "token": caller.token_id}

    @router.get("/follows")
    def follows(caller: Annotated[Caller, Depends(require_scope("read:follows"))]) -> dict:
        return {"user": caller.user_id}

    @router.get("/public")
    def public(caller: Annotated[Caller | None, Depends(optional_caller)]) -> dict:
        return {"user": caller.user_id if caller else None}

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    return app


@pytest.fixture
def client(use_engine: Engine) -> Iterator[TestClient]:
    with TestClient(_app()) as test_client:
        yield test_client


def _token(engine: Engine, user: User | None, scopes: str) -> str:
    with Session(engine, expire_on_commit=False) as db:
        app, secret = oauth.register_app(
            db, name="Scoped", redirect_uris=REDIRECT, scopes="read write follow"
        )
        if user is None:
            raw, _row = oauth.client_token(
                db, client_id=app.client_id, client_secret=secret, scope=scopes
            )
        else:
            request = oauth.check_authorization(
                db,
                client_id=app.client_id,
                redirect_uri=REDIRECT,
                response_type="code",
                scope=scopes,
            )
            code = oauth.grant_code(db, user_id=row_id(user), request=request)
            raw, _row = oauth.exchange_code(
                db,
                client_id=app.client_id,
                client_secret=secret,
                code=code,
                redirect_uri=REDIRECT,
                code_verifier=None,
            )
        db.commit()
    return raw


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def susan(use_engine: Engine, add_user: Callable[..., User]) -> User:
    with Session(use_engine, expire_on_commit=False) as db:
        user = add_user(db, "susan")
        db.commit()
    return user


def test_a_token_without_write_cannot_write(
    client: TestClient, use_engine: Engine, susan: User
) -> None:
    read_only = _token(use_engine, susan, "read")
    refused = client.post("/write", headers=_auth(read_only))
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}
    writer = _token(use_engine, susan, "write:statuses")
    allowed = client.post("/write", headers=_auth(writer))
    assert allowed.status_code == 200 and allowed.json()["user"] == susan.id
    assert allowed.json()["token"] is not None


def test_read_and_follow_grant_their_sub_scopes(
    client: TestClient, use_engine: Engine, susan: User
) -> None:
    for scopes in ("read", "follow", "read:follows"):
        answer = client.get("/follows", headers=_auth(_token(use_engine, susan, scopes)))
        assert answer.status_code == 200, scopes
    write_only = _token(use_engine, susan, "write")
    assert client.get("/follows", headers=_auth(write_only)).status_code == 403


def test_missing_unknown_revoked_and_suspended_tokens_get_401(
    client: TestClient, use_engine: Engine, susan: User
) -> None:
    invalid = {"error": "The access token is invalid"}
    missing = client.post("/write")
    assert missing.status_code == 401 and missing.json() == invalid
    assert "Bearer" in missing.headers["www-authenticate"]
    assert client.post("/write", headers=_auth("not-a-token")).json() == invalid
    token = _token(use_engine, susan, "write")
    with Session(use_engine) as db:
        user = db.get(User, susan.id)
        assert user is not None
        user.suspended = True
        db.add(user)
        db.commit()
    assert client.post("/write", headers=_auth(token)).status_code == 401
    with Session(use_engine) as db:
        user = db.get(User, susan.id)
        assert user is not None
        user.suspended = False
        db.add(user)
        db.commit()
    assert client.post("/write", headers=_auth(token)).status_code == 200
    with Session(use_engine) as db:
        grant = oauth.resolve(db, token=token)
        assert grant is not None
        oauth.revoke_for_user(db, user_id=row_id(susan), token_id=grant.token_id)
        db.commit()
    assert client.post("/write", headers=_auth(token)).status_code == 401


def test_app_tokens_our_api_tokens_and_public_endpoints(
    client: TestClient, use_engine: Engine, susan: User
) -> None:
    app_token = _token(use_engine, None, "write")
    no_user = client.post("/write", headers=_auth(app_token))
    assert no_user.status_code == 422
    assert no_user.json() == {"error": "This method requires an authenticated user"}
    with Session(use_engine) as db:
        ours = api_tokens.issue_token(db, user_id=row_id(susan), lifetime_seconds=60)
        db.commit()
    mine = client.post("/write", headers=_auth(ours))
    assert mine.status_code == 200 and mine.json() == {"user": susan.id, "token": None}
    assert client.get("/public").json() == {"user": None}
    assert client.get("/public", headers=_auth(ours)).json() == {"user": susan.id}
    assert client.get("/public", headers=_auth("gone")).status_code == 401
