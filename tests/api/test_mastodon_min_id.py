"""`min_id` over real HTTP (SQLite and PostgreSQL), as Mastodon clients page up: from an entry,
`min_id` answers the page just above it (newest first), and following the `Link` header's
`prev` (itself a `min_id`) reads every newer entry exactly once, on the home, public and tag
timelines, a profile's statuses, notifications and favourited_by."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import Account, ApiServer

LIMIT = 3


@pytest.fixture
def masto(api_server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.base, timeout=30) as client:
        yield client


def _links(response: httpx.Response) -> dict[str, str]:
    found = re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))
    return {rel: url for url, rel in found}


def _climb(masto: httpx.Client, path: str, start: str, who: Account | None) -> list[str]:
    """Page up from `start` through `prev` links until a page is empty: every id read, oldest
    first, checking that each page lists newest first."""
    headers = who.headers if who else {}
    answer = masto.get(path, params={"min_id": start, "limit": LIMIT}, headers=headers)
    read: list[str] = []
    for _ in range(30):
        assert answer.status_code == 200, answer.text
        ids = [entry["id"] for entry in answer.json()]
        if not ids:
            return read
        assert ids == sorted(ids, key=int, reverse=True)
        links = _links(answer)
        assert f"min_id={ids[0]}" in links["prev"] and f"limit={LIMIT}" in links["prev"]
        assert f"max_id={ids[-1]}" in links["next"]
        read += reversed(ids)
        answer = masto.get(links["prev"], headers=headers)
    raise AssertionError("paging up never ended")


def _post(masto: httpx.Client, who: Account, text: str) -> str:
    answer = masto.post("/api/v1/statuses", json={"status": text}, headers=who.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["id"]


def test_min_id_pages_up_without_gaps_or_repeats(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("climb")
    bob: Account = make_account("climb")
    masto.post(f"/api/v1/accounts/{ann.id}/follow", headers=bob.headers)
    tag = f"climb{ann.id}"
    written = [_post(masto, ann, f"step {i} #{tag}") for i in range(8)]
    base = written[0]
    above = written[1:]

    # The page just above the bound, not the newest one (that is since_id's).
    first = masto.get(
        "/api/v1/timelines/home", params={"min_id": base, "limit": LIMIT}, headers=bob.headers
    )
    assert [s["id"] for s in first.json()] == above[:LIMIT][::-1]
    newest = masto.get(
        "/api/v1/timelines/home", params={"since_id": base, "limit": LIMIT}, headers=bob.headers
    )
    assert [s["id"] for s in newest.json()] == above[::-1][:LIMIT]

    assert _climb(masto, "/api/v1/timelines/home", base, bob) == above
    assert _climb(masto, f"/api/v1/timelines/tag/{tag}", base, None) == above
    assert _climb(masto, f"/api/v1/accounts/{ann.id}/statuses", base, None) == above
    public = _climb(masto, "/api/v1/timelines/public", base, None)
    assert [i for i in public if i in written] == above  # others' tests post there too
    assert public == sorted(public, key=int) and len(set(public)) == len(public)


def test_min_id_on_notifications_and_favourited_by(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("liked")
    post = _post(masto, ann, "like this")
    fans = [make_account("fan") for _ in range(7)]
    for fan in fans:
        liked = masto.post(f"/api/v1/statuses/{post}/favourite", headers=fan.headers)
        assert liked.status_code == 200
        assert masto.post(f"/api/v1/accounts/{ann.id}/follow", headers=fan.headers).is_success
    every = masto.get("/api/v1/notifications", params={"limit": 40}, headers=ann.headers)
    lines = [n["id"] for n in every.json()][::-1]
    assert len(lines) >= 8
    assert _climb(masto, "/api/v1/notifications", lines[0], ann) == lines[1:]
    fan_ids = [str(i) for i in sorted(fan.id for fan in fans)]
    assert _climb(masto, f"/api/v1/statuses/{post}/favourited_by", "0", None) == fan_ids
    first = masto.get(f"/api/v1/statuses/{post}/favourited_by", params={"limit": LIMIT})
    assert [a["id"] for a in first.json()] == fan_ids[::-1][:LIMIT]
    older = masto.get(_links(first)["next"])
    assert [a["id"] for a in older.json()] == fan_ids[::-1][LIMIT : 2 * LIMIT]
