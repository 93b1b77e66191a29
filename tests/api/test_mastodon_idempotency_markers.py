"""Over real HTTP (SQLite and PostgreSQL): `Idempotency-Key` on POST /api/v1/statuses posts
once per user and key, even for concurrent retries, and the `home` marker is stored per user
beside the `notifications` one."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.conftest import Account, ApiServer


@pytest.fixture
def masto(api_server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.base, timeout=30) as client:
        yield client


def _post(masto: httpx.Client, who: Account, text: str, key: str | None) -> httpx.Response:
    headers = {**who.headers, **({"Idempotency-Key": key} if key else {})}
    return masto.post("/api/v1/statuses", json={"status": text}, headers=headers)


def _statuses(masto: httpx.Client, who: Account) -> list[str]:
    listed = masto.get(f"/api/v1/accounts/{who.id}/statuses", params={"limit": 40})
    assert listed.status_code == 200
    return [status["id"] for status in listed.json()]


def test_the_same_key_posts_once_per_user(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("idem")
    bob: Account = make_account("idem")
    first = _post(masto, ann, "sent on a flaky network", "retry-1")
    again = _post(masto, ann, "sent on a flaky network", "retry-1")
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["content"] == first.json()["content"]
    theirs = _post(masto, bob, "sent on a flaky network", "retry-1")
    assert theirs.status_code == 200 and theirs.json()["id"] != first.json()["id"]
    other = _post(masto, ann, "another post", "retry-2")
    plain = [_post(masto, ann, "no key", None).json()["id"] for _ in range(2)]
    assert _statuses(masto, ann) == [*reversed(plain), other.json()["id"], first.json()["id"]]
    assert _statuses(masto, bob) == [theirs.json()["id"]]
    # A refused post claims nothing: the corrected retry with the key posts.
    empty = _post(masto, ann, "", "retry-3")
    assert empty.status_code == 422
    fixed = _post(masto, ann, "now with text", "retry-3")
    assert fixed.status_code == 200 and fixed.json()["id"] not in plain


def test_concurrent_retries_post_once(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("race")
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: _post(masto, ann, "at once", "same-key"), range(6)))
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert _statuses(masto, ann) == [answers[0].json()["id"]]


def test_home_and_notifications_markers(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("mark")
    bob: Account = make_account("mark")
    listed = masto.get("/api/v1/markers", headers=ann.headers)
    assert set(listed.json()) == {"notifications"}  # no home marker until one is set
    seen = _post(masto, ann, "where I stopped", None).json()["id"]
    saved = masto.post("/api/v1/markers", data={"home[last_read_id]": seen}, headers=ann.headers)
    assert saved.status_code == 200
    assert saved.json()["home"]["last_read_id"] == seen and saved.json()["home"]["version"] == 1
    assert "notifications" not in saved.json()
    both = masto.get(
        "/api/v1/markers", params={"timeline[]": ["home", "notifications"]}, headers=ann.headers
    )
    assert both.json()["home"]["last_read_id"] == seen
    assert both.json()["notifications"]["last_read_id"] == "0"
    assert both.json()["home"]["updated_at"].endswith("Z")
    moved = masto.post(
        "/api/v1/markers",
        json={"home": {"last_read_id": "1"}, "notifications": {"last_read_id": "0"}},
        headers=ann.headers,
    )
    assert moved.json()["home"] == {**moved.json()["home"], "last_read_id": "1", "version": 2}
    assert set(moved.json()) == {"home", "notifications"}
    # Only home asked: only home answered. Another user's markers are their own.
    home_only = masto.get("/api/v1/markers", params={"timeline[]": "home"}, headers=ann.headers)
    assert set(home_only.json()) == {"home"} and home_only.json()["home"]["last_read_id"] == "1"
    assert "home" not in masto.get("/api/v1/markers", headers=bob.headers).json()
    bad = masto.post("/api/v1/markers", data={"home[last_read_id]": "x"}, headers=ann.headers)
    assert bad.status_code == 422 and "error" in bad.json()
    assert masto.get("/api/v1/markers").status_code == 401
