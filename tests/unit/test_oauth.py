"""services/oauth.py on SQLite and PostgreSQL: apps, the authorization request's checks, codes
(one use, short-lived, PKCE), tokens and their scopes, revocation."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from microblog.models import OAuthApp, OAuthCode, OAuthToken, User, row_id, utcnow
from microblog.security import hash_token
from microblog.services import api_tokens, oauth
from microblog.services.oauth import OAuthError

REDIRECT = "https://app.example/callback"


def _app(session: Session, scopes: str = "read write follow", uris: object = REDIRECT):
    return oauth.register_app(
        session,
        name="Test app",
        redirect_uris=uris,
        scopes=scopes,
        website=None,  # type: ignore[arg-type]
    )


def _request(session: Session, app: OAuthApp, **overrides: str | None):
    fields: dict = {
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "read",
        "state": "xyz",
    } | overrides
    return oauth.check_authorization(session, **fields)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def _code(session: Session, user: User, app: OAuthApp, **overrides: str | None) -> str:
    return oauth.grant_code(
        session, user_id=row_id(user), request=_request(session, app, **overrides)
    )


def test_an_app_keeps_only_the_hash_of_its_secret(session: Session) -> None:
    app, secret = _app(session, uris=[REDIRECT, oauth.OOB])
    stored = session.exec(select(OAuthApp).where(OAuthApp.id == app.id)).one()
    assert stored.secret_hash == hash_token(secret) and secret not in stored.secret_hash
    assert stored.redirect_uris.split("\n") == [REDIRECT, oauth.OOB]
    assert oauth.authenticate_client(session, client_id=app.client_id, client_secret=secret) == app
    with pytest.raises(OAuthError) as refused:
        oauth.authenticate_client(session, client_id=app.client_id, client_secret="wrong")
    assert refused.value.error == "invalid_client"


@pytest.mark.parametrize(
    "uri",
    ["javascript:alert(1)", "data:text/html,hi", "https://x.example/cb#frag", "relative/path", ""],
)
def test_dangerous_or_malformed_redirect_uris_are_refused(session: Session, uri: str) -> None:
    with pytest.raises(OAuthError):
        _app(session, uris=uri)
    assert session.exec(select(OAuthApp)).first() is None


def test_unknown_scopes_are_refused_and_the_rules_of_grants(session: Session) -> None:
    with pytest.raises(OAuthError) as refused:
        _app(session, scopes="read admin:read")
    assert refused.value.error == "invalid_scope"
    assert oauth.grants(frozenset({"read"}), "read:statuses")
    assert not oauth.grants(frozenset({"read"}), "write:statuses")
    assert oauth.grants(frozenset({"write"}), "write:media")
    assert oauth.grants(frozenset({"follow"}), "write:follows")
    assert oauth.grants(frozenset({"follow"}), "read:blocks")
    assert not oauth.grants(frozenset({"follow"}), "read:statuses")
    assert oauth.grants(frozenset({"read:statuses"}), "read:statuses")
    assert not oauth.grants(frozenset({"read:statuses"}), "read")


def test_the_authorization_request_refuses_what_the_app_did_not_register(
    session: Session,
) -> None:
    app, _secret = _app(session, scopes="read")
    with pytest.raises(OAuthError) as bad_uri:
        _request(session, app, redirect_uri="https://evil.example/callback")
    assert bad_uri.value.error == "invalid_redirect_uri"
    with pytest.raises(OAuthError) as bad_scope:
        _request(session, app, scope="read write")
    assert bad_scope.value.error == "invalid_scope"
    with pytest.raises(OAuthError) as bad_client:
        _request(session, app, client_id="nope")
    assert bad_client.value.error == "invalid_client"
    with pytest.raises(OAuthError) as plain:
        _request(session, app, code_challenge="a" * 43, code_challenge_method="plain")
    assert plain.value.error == "invalid_request"
    with pytest.raises(OAuthError) as token_flow:
        _request(session, app, response_type="token")
    assert token_flow.value.error == "unsupported_response_type"
    checked = _request(session, app, scope="read:statuses read:accounts", redirect_uri=None)
    assert checked.scopes == ("read:statuses", "read:accounts")
    assert checked.redirect_uri == REDIRECT  # the only registered one


def test_a_code_works_once_and_gives_a_token_with_its_scopes(
    session: Session, add_user: Callable[..., User]
) -> None:
    user = add_user(session, "susan")
    app, secret = _app(session)
    code = _code(session, user, app, scope="read write")
    assert session.exec(select(OAuthCode)).one().code_hash == hash_token(code)
    raw, token = oauth.exchange_code(
        session,
        client_id=app.client_id,
        client_secret=secret,
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=None,
    )
    assert token.scopes == "read write" and token.user_id == user.id
    grant = oauth.resolve(session, token=raw)
    assert grant is not None and grant.scopes == frozenset({"read", "write"})
    with pytest.raises(OAuthError) as again:
        oauth.exchange_code(
            session,
            client_id=app.client_id,
            client_secret=secret,
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=None,
        )
    assert again.value.error == "invalid_grant"
    assert session.exec(select(OAuthToken)).all() == [token]


def test_a_code_needs_its_own_app_and_expires(
    session: Session, add_user: Callable[..., User]
) -> None:
    user = add_user(session, "susan")
    app, secret = _app(session)
    other, other_secret = _app(session)
    code = _code(session, user, app)
    with pytest.raises(OAuthError):
        oauth.exchange_code(
            session,
            client_id=other.client_id,
            client_secret=other_secret,
            code=code,
            redirect_uri=None,
            code_verifier=None,
        )
    late = _code(session, user, app)
    with pytest.raises(OAuthError) as expired:
        oauth.exchange_code(
            session,
            client_id=app.client_id,
            client_secret=secret,
            code=late,
            redirect_uri=None,
            code_verifier=None,
            now=utcnow() + timedelta(minutes=11),
        )
    assert expired.value.error == "invalid_grant"
    assert session.exec(select(OAuthToken)).first() is None


def test_pkce_needs_the_matching_verifier(session: Session, add_user: Callable[..., User]) -> None:
    user = add_user(session, "susan")
    app, secret = _app(session)
    verifier, challenge = _pkce()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}
    code = _code(session, user, app, **pkce)
    with pytest.raises(OAuthError) as wrong:
        oauth.exchange_code(
            session,
            client_id=app.client_id,
            client_secret=secret,
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=_pkce()[0],
        )
    assert wrong.value.error == "invalid_grant"
    code = _code(session, user, app, **pkce)
    with pytest.raises(OAuthError):  # no verifier at all
        oauth.exchange_code(
            session,
            client_id=app.client_id,
            client_secret=secret,
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=None,
        )
    code = _code(session, user, app, **pkce)
    raw, _token = oauth.exchange_code(
        session,
        client_id=app.client_id,
        client_secret=secret,
        code=code,
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    assert oauth.resolve(session, token=raw) is not None


def test_client_credentials_give_an_app_token_without_a_user(session: Session) -> None:
    app, secret = _app(session, scopes="read write")
    raw, _token = oauth.client_token(
        session, client_id=app.client_id, client_secret=secret, scope="read"
    )
    grant = oauth.resolve(session, token=raw)
    assert grant is not None and grant.user_id is None and grant.scopes == {"read"}
    with pytest.raises(OAuthError):
        oauth.client_token(session, client_id=app.client_id, client_secret=secret, scope="follow")


def test_revoked_tokens_and_those_of_disabled_or_suspended_users_stop_working(
    session: Session, add_user: Callable[..., User]
) -> None:
    user = add_user(session, "susan")
    app, secret = _app(session)
    tokens = [
        oauth.exchange_code(
            session,
            client_id=app.client_id,
            client_secret=secret,
            code=_code(session, user, app),
            redirect_uri=None,
            code_verifier=None,
        )[0]
        for _ in range(3)
    ]
    listed = oauth.list_authorized(session, user_id=row_id(user))
    assert [row.app_name for row in listed] == ["Test app"] * 3
    assert not oauth.revoke_for_user(session, user_id=row_id(user) + 1, token_id=listed[0].token_id)
    assert oauth.revoke_for_user(session, user_id=row_id(user), token_id=listed[0].token_id)
    assert oauth.resolve(session, token=tokens[2]) is None  # the newest was listed first
    oauth.revoke(session, client_id=app.client_id, client_secret=secret, token=tokens[1])
    assert oauth.resolve(session, token=tokens[1]) is None
    assert oauth.resolve(session, token=tokens[0]) is not None
    user.suspended = True
    session.add(user)
    session.flush()
    assert oauth.resolve(session, token=tokens[0]) is None
    user.suspended = False
    session.add(user)
    session.flush()
    assert oauth.resolve(session, token=tokens[0]) is not None
    api_tokens.revoke_all_tokens(session, user_id=row_id(user))  # a password change, a disable
    assert oauth.resolve(session, token=tokens[0]) is None
