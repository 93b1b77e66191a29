"""CORS on the Mastodon client API over real HTTP (SQLite and PostgreSQL): a browser client on
another origin (Elk, Phanpy) gets its preflights answered and may read the answers of
/api/v1, /api/v2, /oauth/token, /oauth/revoke and NodeInfo, with `*` and never credentials;
/oauth/authorize and our own cookie-authenticated /api stay without CORS headers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import Account, ApiServer

ELK = "https://elk.example"


@pytest.fixture
def http(api_server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.base, timeout=30) as client:
        yield client


def preflight(http: httpx.Client, path: str, method: str, headers: str) -> httpx.Response:
    return http.options(
        path,
        headers={
            "Origin": ELK,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/statuses", "POST"),
        ("/api/v1/timelines/home", "GET"),
        ("/api/v2/media", "POST"),
        ("/api/v1/statuses/1", "DELETE"),
        ("/oauth/token", "POST"),
        ("/oauth/revoke", "POST"),
        ("/nodeinfo/2.0", "GET"),
    ],
)
def test_preflight_is_answered_as_mastodon_does(http: httpx.Client, path: str, method: str) -> None:
    answer = preflight(http, path, method, "authorization, content-type, idempotency-key")
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    assert method in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "content-type", "idempotency-key"):
        assert header in allowed
    assert "access-control-allow-credentials" not in answer.headers


def test_actual_requests_carry_cors_headers(http: httpx.Client, make_account) -> None:
    ann: Account = make_account("cors")
    posted = http.post(
        "/api/v1/statuses",
        json={"status": "from another origin"},
        headers={**ann.headers, "Origin": ELK},
    )
    assert posted.status_code == 200
    assert posted.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in posted.headers
    home = http.get(
        "/api/v1/timelines/home", params={"limit": 1}, headers={**ann.headers, "Origin": ELK}
    )
    assert home.headers["access-control-allow-origin"] == "*"
    exposed = home.headers["access-control-expose-headers"].lower()
    assert "link" in exposed and "x-ratelimit-remaining" in exposed
    assert "link" in home.headers  # what the page may now read
    # Errors too: the page must be able to read Mastodon's {"error": ...}.
    refused = http.get("/api/v1/timelines/home", headers={"Origin": ELK})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"
    for path in ("/api/v2/instance", "/.well-known/nodeinfo", "/nodeinfo/2.0"):
        assert http.get(path, headers={"Origin": ELK}).headers["access-control-allow-origin"] == "*"
    token = http.post("/oauth/token", data={"grant_type": "nope"}, headers={"Origin": ELK})
    assert token.status_code == 400 and token.headers["access-control-allow-origin"] == "*"


def test_authorize_and_our_own_api_stay_closed(http: httpx.Client, make_account) -> None:
    # The consent page's start is a navigation, never a cross-origin fetch.
    authorize = http.get("/oauth/authorize", params={"client_id": "x"}, headers={"Origin": ELK})
    assert "access-control-allow-origin" not in authorize.headers
    asked = preflight(http, "/oauth/authorize", "GET", "authorization")
    assert "access-control-allow-origin" not in asked.headers
    # Our own /api, the session cookie endpoints: as before, no CORS at all.
    ann: Account = make_account("own")
    feed = http.get("/api/feed", headers={**ann.headers, "Origin": ELK})
    assert feed.status_code == 200
    assert "access-control-allow-origin" not in feed.headers
    for path in ("/api/feed", "/api/posts", "/api/tokens"):
        answer = preflight(http, path, "POST", "authorization")
        assert "access-control-allow-origin" not in answer.headers
        assert "access-control-allow-methods" not in answer.headers
