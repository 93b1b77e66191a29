"""The Mastodon client API's server description, apps and OAuth endpoints over real HTTP (the
backend's HTTP app under granian, SQLite and PostgreSQL). The consent page's part (a code for
a signed-in user) is the service's `grant_code` here; the browser test drives the page."""

from __future__ import annotations

import base64
import hashlib
import secrets

import httpx
import pytest
from sqlmodel import Session, select

from microblog.models import OAuthApp, OAuthToken, User
from microblog.services import oauth
from tests.api.conftest import ApiServer, bearer

REDIRECT = "https://client.example/cb"


@pytest.fixture
def http(api_server: ApiServer):
    with httpx.Client(base_url=api_server.base, timeout=30) as client:
        yield client


def _create_app(http: httpx.Client, scopes: str = "read write follow") -> dict:
    created = http.post(
        "/api/v1/apps",
        json={"client_name": "Tester", "redirect_uris": REDIRECT, "scopes": scopes},
    )
    assert created.status_code == 200, created.text
    return created.json()


def _code(server: ApiServer, app: dict, user_id: int, scope: str, **pkce: str) -> str:
    with Session(server.engine, expire_on_commit=False) as db:
        request = oauth.check_authorization(
            db,
            client_id=app["client_id"],
            redirect_uri=REDIRECT,
            response_type="code",
            scope=scope,
            **pkce,
        )
        code = oauth.grant_code(db, user_id=user_id, request=request)
        db.commit()
    return code


def _token(http: httpx.Client, app: dict, code: str, **extra: str) -> httpx.Response:
    return http.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": REDIRECT,
            "code": code,
            **extra,
        },
    )


def test_instance_and_nodeinfo_describe_the_server(http: httpx.Client) -> None:
    v1 = http.get("/api/v1/instance").json()
    assert v1["version"].startswith("4.") and "Microblog" in v1["version"]
    assert v1["configuration"]["statuses"]["max_characters"] == 500
    assert "image/png" in v1["configuration"]["media_attachments"]["supported_mime_types"]
    v2 = http.get("/api/v2/instance").json()
    assert v2["configuration"]["statuses"]["max_media_attachments"] == 4
    assert v2["configuration"]["media_attachments"]["image_size_limit"] == 10_485_760
    assert v2["api_versions"] == {"mastodon": 2}
    links = http.get("/.well-known/nodeinfo").json()["links"]
    assert links[0]["href"].endswith("/nodeinfo/2.0")
    info = http.get("/nodeinfo/2.0").json()
    assert info["version"] == "2.0" and info["software"]["name"] == "microblog"
    # Our own API is where it was, and unknown Mastodon paths answer in Mastodon's shape.
    assert http.get("/api/instance").json()["post_max_length"] == 500
    missing = http.get("/api/v1/no_such_thing")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}


def test_apps_register_from_json_or_form_and_refuse_bad_redirects(
    http: httpx.Client, api_server: ApiServer
) -> None:
    app = _create_app(http)
    assert app["name"] == "Tester" and app["redirect_uri"] == REDIRECT
    assert (
        app["client_id"] and app["client_secret"] and app["scopes"] == ["read", "write", "follow"]
    )
    form = http.post(
        "/api/v1/apps",
        data={
            "client_name": "Form app",
            "redirect_uris": f"{REDIRECT}\n{oauth.OOB}",
            "scopes": "read",
            "website": "https://client.example",
        },
    )
    assert form.status_code == 200, form.text
    assert form.json()["redirect_uris"] == [REDIRECT, oauth.OOB]
    listed = http.post(
        "/api/v1/apps", json={"client_name": "List", "redirect_uris": [REDIRECT, oauth.OOB]}
    )
    assert listed.json()["redirect_uris"] == [REDIRECT, oauth.OOB]
    for bad in (
        {"client_name": "x", "redirect_uris": "javascript:alert(1)"},
        {"client_name": "", "redirect_uris": REDIRECT},
        {"client_name": "x", "redirect_uris": REDIRECT, "scopes": "admin:write"},
    ):
        refused = http.post("/api/v1/apps", json=bad)
        assert refused.status_code == 422 and "error" in refused.json(), bad
    with Session(api_server.engine) as db:
        stored = db.exec(select(OAuthApp).where(OAuthApp.client_id == app["client_id"])).one()
    assert app["client_secret"] not in stored.secret_hash


def test_authorize_checks_the_request_before_sending_to_the_consent_page(
    http: httpx.Client,
) -> None:
    app = _create_app(http, "read")
    query = {
        "client_id": app["client_id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "read",
        "state": "s1",
    }
    ok = http.get("/oauth/authorize", params=query)
    assert ok.status_code == 302
    assert "/authorize_app?" in ok.headers["location"] and "state=s1" in ok.headers["location"]
    evil = http.get("/oauth/authorize", params=query | {"redirect_uri": "https://evil.example/"})
    assert evil.status_code == 400 and evil.json()["error"] == "invalid_redirect_uri"
    assert "location" not in evil.headers
    unknown = http.get("/oauth/authorize", params=query | {"client_id": "nope"})
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_client"
    wider = http.get("/oauth/authorize", params=query | {"scope": "read write"})
    assert wider.status_code == 302
    assert wider.headers["location"].startswith(REDIRECT + "?error=invalid_scope")
    assert "state=s1" in wider.headers["location"]


def test_the_code_flow_with_pkce_and_scopes_enforced(
    http: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me = make_account("mast")
    app = _create_app(http)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode()
    pkce = {"code_challenge": challenge.rstrip("="), "code_challenge_method": "S256"}
    code = _code(api_server, app, me.id, "read", **pkce)
    assert _token(http, app, code, code_verifier="x" * 50).json()["error"] == "invalid_grant"
    code = _code(api_server, app, me.id, "read", **pkce)
    issued = _token(http, app, code, code_verifier=verifier)
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "read"
    again = _token(http, app, code, code_verifier=verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    account = http.get("/api/v1/accounts/verify_credentials", headers=bearer(body["access_token"]))
    assert account.status_code == 200, account.text
    assert account.json()["id"] == str(me.id) and account.json()["username"] == me.username
    assert "source" in account.json()
    # A token without read cannot read.
    write_only = _token(http, app, _code(api_server, app, me.id, "write")).json()["access_token"]
    refused = http.get("/api/v1/accounts/verify_credentials", headers=bearer(write_only))
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is outside the authorized scopes"}
    # JSON body and HTTP Basic client authentication work as well.
    basic = base64.b64encode(f"{app['client_id']}:{app['client_secret']}".encode()).decode()
    json_body = http.post(
        "/oauth/token",
        json={"grant_type": "authorization_code", "code": _code(api_server, app, me.id, "read")},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert json_body.status_code == 200, json_body.text


def test_revocation_takes_effect_at_once_and_only_for_the_apps_own_token(
    http: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me = make_account("mast")
    app, other = _create_app(http), _create_app(http)
    token = _token(http, app, _code(api_server, app, me.id, "read")).json()["access_token"]
    headers = bearer(token)
    assert http.get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 200
    wrong_app = http.post(
        "/oauth/revoke",
        data={"client_id": other["client_id"], "client_secret": "nope", "token": token},
    )
    assert wrong_app.status_code == 403
    http.post(
        "/oauth/revoke",
        data={
            "client_id": other["client_id"],
            "client_secret": other["client_secret"],
            "token": token,
        },
    )
    assert http.get("/api/v1/accounts/verify_credentials", headers=headers).status_code == 200
    done = http.post(
        "/oauth/revoke",
        data={"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token},
    )
    assert done.status_code == 200 and done.json() == {}
    gone = http.get("/api/v1/accounts/verify_credentials", headers=headers)
    assert gone.status_code == 401 and gone.json() == {"error": "The access token is invalid"}
    with Session(api_server.engine) as db:
        assert db.exec(select(OAuthToken).where(OAuthToken.user_id == me.id)).first() is None
        assert db.get(User, me.id) is not None


def test_client_credentials_and_app_verify_credentials(http: httpx.Client) -> None:
    app = _create_app(http)
    issued = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": "read",
        },
    )
    assert issued.status_code == 200, issued.text
    headers = bearer(issued.json()["access_token"])
    verified = http.get("/api/v1/apps/verify_credentials", headers=headers)
    assert verified.status_code == 200 and verified.json()["name"] == "Tester"
    assert "client_secret" not in verified.json()
    no_user = http.get("/api/v1/accounts/verify_credentials", headers=headers)
    assert no_user.status_code == 422
    bad = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": "wrong",
        },
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    unsupported = http.post("/oauth/token", data={"grant_type": "password"})
    assert unsupported.status_code == 400
    assert unsupported.json()["error"] == "unsupported_grant_type"
    assert http.get("/api/v1/apps/verify_credentials").status_code == 401


def test_our_own_api_tokens_work_with_every_scope(http: httpx.Client, make_account) -> None:
    me = make_account("mast")
    account = http.get("/api/v1/accounts/verify_credentials", headers=me.headers)
    assert account.status_code == 200 and account.json()["username"] == me.username
