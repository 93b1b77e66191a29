"""Rate limits per client address on the Mastodon endpoints that need no token, over real HTTP
on a server with small limits (2 app registrations an hour, 3 token requests a minute) and its
own database, SQLite and PostgreSQL: Mastodon's 429 `{"error": "Too many requests"}` with
`Retry-After` and `X-RateLimit-*`, every outcome counted, the count shared in the database."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import text

from tests.api.conftest import ApiServer

APP = {"client_name": "Limited", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "read"}
ELK = "https://elk.example"


def _reset(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_app_registration_is_rate_limited(limited_server: ApiServer) -> None:
    with httpx.Client(base_url=limited_server.base, timeout=30) as http:
        first = http.post("/api/v1/apps", json=APP)
        assert first.status_code == 200
        assert first.headers["x-ratelimit-limit"] == "2"
        assert first.headers["x-ratelimit-remaining"] == "1"
        assert _reset(first.headers["x-ratelimit-reset"]) > datetime.now(UTC)
        bad = http.post("/api/v1/apps", json={"client_name": ""})  # a refusal counts too
        assert bad.status_code == 422 and bad.headers["x-ratelimit-remaining"] == "0"
        refused = http.post("/api/v1/apps", json=APP, headers={"Origin": ELK})
        assert refused.status_code == 429
        assert refused.json() == {"error": "Too many requests"}
        assert 3500 <= int(refused.headers["retry-after"]) <= 3600
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.headers["access-control-allow-origin"] == "*"  # the page can read it
    with limited_server.engine.connect() as conn:
        counted = conn.execute(
            text("SELECT failures FROM login_failure WHERE key = 'rate:mastodon-apps:127.0.0.1'")
        ).scalar_one()
    assert counted == 3


def test_token_requests_are_rate_limited(limited_server: ApiServer) -> None:
    with httpx.Client(base_url=limited_server.base, timeout=30) as http:
        answers = [
            http.post("/oauth/token", data={"grant_type": "client_credentials"}) for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [401, 401, 401]  # no such client
        assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0"]
        refused = http.post("/oauth/token", data={"grant_type": "client_credentials"})
        assert refused.status_code == 429
        assert refused.json() == {"error": "Too many requests"}
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # Other endpoints are not counted against it.
        assert http.get("/api/v1/instance").status_code == 200
