"""Scopes hold on the real endpoints (over real HTTP, SQLite and PostgreSQL): a token the user
granted only `read` cannot post, like or follow; one granted only `write:statuses` can post but
not read the home timeline; a revoked token stops at once; one user's token cannot delete
another's status. The guard itself is tested on its own in tests/unit/test_oauth_scopes.py."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Account, ApiServer, bearer
from tests.api.test_mastodon_oauth import _code, _create_app, _token


@pytest.fixture
def http(api_server: ApiServer):
    with httpx.Client(base_url=api_server.base, timeout=30) as client:
        yield client


def _granted(http: httpx.Client, server: ApiServer, user: Account, scope: str) -> str:
    app = _create_app(http, scopes="read write follow")
    answer = _token(http, app, _code(server, app, user.id, scope))
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def test_a_read_token_reads_and_cannot_write(
    http: httpx.Client, api_server: ApiServer, make_account
) -> None:
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    mine = http.post("/api/v1/statuses", json={"status": "by ann"}, headers=ann.headers)
    assert mine.status_code == 200, mine.text
    reader = bearer(_granted(http, api_server, bob, "read"))
    assert http.get("/api/v1/timelines/home", headers=reader).status_code == 200
    assert http.get(f"/api/v1/statuses/{mine.json()['id']}", headers=reader).status_code == 200
    for method, path, body in (
        ("POST", "/api/v1/statuses", {"status": "not allowed"}),
        ("POST", f"/api/v1/statuses/{mine.json()['id']}/favourite", {}),
        ("POST", f"/api/v1/accounts/{ann.id}/follow", {}),
    ):
        refused = http.request(method, path, json=body, headers=reader)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json() == {"error": "This action is outside the authorized scopes"}
    # Nothing changed: bob posted nothing, liked nothing, follows no one.
    assert http.get(f"/api/v1/accounts/{bob.id}/statuses").json() == []
    assert http.get(f"/api/v1/statuses/{mine.json()['id']}").json()["favourites_count"] == 0
    assert http.get(f"/api/v1/accounts/{bob.id}/following").json() == []


def test_a_write_statuses_token_posts_and_cannot_read_home(
    http: httpx.Client, api_server: ApiServer, make_account
) -> None:
    cat: Account = make_account("cat")
    writer = bearer(_granted(http, api_server, cat, "write:statuses"))
    posted = http.post("/api/v1/statuses", json={"status": "scoped"}, headers=writer)
    assert posted.status_code == 200, posted.text
    assert http.get("/api/v1/timelines/home", headers=writer).status_code == 403
    assert http.post(f"/api/v1/accounts/{cat.id}/follow", headers=writer).status_code == 403


def test_a_revoked_token_stops_at_once_and_tokens_act_only_for_their_user(
    http: httpx.Client, api_server: ApiServer, make_account
) -> None:
    dan: Account = make_account("dan")
    eve: Account = make_account("eve")
    app = _create_app(http)
    token = _token(http, app, _code(api_server, app, dan.id, "read write")).json()["access_token"]
    posted = http.post("/api/v1/statuses", json={"status": "dan's"}, headers=bearer(token))
    assert posted.status_code == 200, posted.text
    status_id = posted.json()["id"]
    # eve's token cannot touch dan's status; dan's stays.
    assert http.delete(f"/api/v1/statuses/{status_id}", headers=eve.headers).status_code == 404
    assert (
        http.put(
            f"/api/v1/statuses/{status_id}", json={"status": "eve's now"}, headers=eve.headers
        ).status_code
        == 404
    )
    assert http.get(f"/api/v1/statuses/{status_id}").json()["content"].find("dan's") >= 0
    revoked = http.post(
        "/oauth/revoke",
        data={"client_id": app["client_id"], "client_secret": app["client_secret"], "token": token},
    )
    assert revoked.status_code == 200, revoked.text
    again = http.post("/api/v1/statuses", json={"status": "after"}, headers=bearer(token))
    assert again.status_code == 401
    assert http.get(f"/api/v1/accounts/{dan.id}/statuses").json()[0]["id"] == status_id
