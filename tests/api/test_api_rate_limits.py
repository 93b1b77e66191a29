"""Rate limits per client address on token creation and registration, on a server started with
small limits (3 token requests a minute, 2 registrations an hour) and its own database."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.conftest import PASSWORD, ApiServer, basic, unique_name


def test_token_requests_are_rate_limited_with_retry_after(limited_server: ApiServer) -> None:
    with limited_server.client() as api:
        name = unique_name()
        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        assert api.post("/users", json=body).status_code == 201
        # Every request counts, whatever its credentials.
        statuses = [
            api.post("/tokens", headers=basic(name, PASSWORD)).status_code,
            api.post("/tokens").status_code,
            api.post("/tokens", headers=basic(name, PASSWORD)).status_code,
        ]
        assert statuses == [200, 401, 200]
        refused = api.post("/tokens", headers=basic(name, PASSWORD))
        assert refused.status_code == 429
        assert refused.json()["error"] == "Too Many Requests"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
    # The count is in the database, where every worker sees it.
    with limited_server.engine.connect() as conn:
        counted = conn.execute(
            text("SELECT failures FROM login_failure WHERE key = 'rate:tokens:127.0.0.1'")
        ).scalar_one()
    assert counted == 4


def test_registrations_are_rate_limited(limited_server: ApiServer) -> None:
    with limited_server.client() as api:
        # One registration happened in the test above (same server, same client), or not if this
        # test runs alone: make sure the budget of 2 is used up, then one more is refused.
        statuses = []
        for _ in range(3):
            name = unique_name()
            body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
            statuses.append(api.post("/users", json=body).status_code)
            if statuses[-1] == 429:
                break
        assert statuses[-1] == 429
        assert set(statuses[:-1]) == {201}
        late = {"username": "late", "email": "late@example.com", "password": PASSWORD}
        refused = api.post("/users", json=late)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 60  # the hour-long window
        assert "registrations" in refused.json()["message"]
