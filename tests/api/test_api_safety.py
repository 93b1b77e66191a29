"""Blocks, mutes, reports and the moderators' endpoints over real HTTP: what each answers, who
may call them (a non-moderator gets 403 from every moderation endpoint), and that a block
hides posts from the feed and a suspension ends the API token."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session

from microblog.models import User
from microblog.services import moderation
from tests.api.conftest import Account, ApiServer

MODERATION_CALLS = [
    ("GET", "/moderation/reports", None),
    ("GET", "/moderation/log", None),
    ("POST", "/moderation/reports/1/dismiss", {"reason": ""}),
    ("POST", "/moderation/posts/1/hide", {"reason": "x"}),
    ("DELETE", "/moderation/posts/1/hide", None),
    ("POST", "/moderation/users/1/limit", {"reason": "x"}),
    ("DELETE", "/moderation/users/1/limit", None),
    ("POST", "/moderation/users/1/suspend", {"reason": "x"}),
    ("DELETE", "/moderation/users/1/suspend", None),
    ("POST", "/moderation/reports/1/reopen", {"reason": ""}),
    ("PUT", "/moderation/moderators/1", None),
    ("DELETE", "/moderation/moderators/1", None),
]


def _make_moderator(server: ApiServer, account: Account) -> None:
    with Session(server.engine) as db:
        moderation.set_moderator(db, user_id=account.id, moderator=True)
        db.commit()


def _post(api: httpx.Client, who: Account, body: str) -> int:
    response = api.post("/posts", json={"body": body}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(("method", "path", "body"), MODERATION_CALLS)
def test_moderation_endpoints_refuse_non_moderators(
    api: httpx.Client, make_account, method: str, path: str, body: dict | None
) -> None:
    someone: Account = make_account()
    response = api.request(method, path, json=body, headers=someone.headers)
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "Forbidden"
    assert api.request(method, path, json=body).status_code == 401


def test_block_and_mute_round_trip(api: httpx.Client, make_account) -> None:
    ann: Account = make_account()
    bob: Account = make_account()
    said = _post(api, bob, "bob's words")
    assert api.post(f"/users/{ann.id}/follow", headers=bob.headers).status_code == 204
    assert api.post(f"/users/{bob.id}/block", headers=ann.headers).status_code == 204
    blocks = api.get("/blocks", headers=ann.headers).json()["items"]
    assert [b["username"] for b in blocks] == [bob.username]
    # bob no longer follows ann, cannot follow again, nor message or like her posts.
    assert api.get(f"/users/{ann.id}/follow", headers=bob.headers).status_code == 404
    assert api.post(f"/users/{ann.id}/follow", headers=bob.headers).status_code == 403
    assert api.get(f"/posts/{said}", headers=ann.headers).status_code == 404
    assert api.post(f"/users/{ann.id}/block", headers=ann.headers).status_code == 400
    assert api.delete(f"/users/{bob.id}/block", headers=ann.headers).status_code == 204
    assert api.get(f"/posts/{said}", headers=ann.headers).status_code == 200

    muted = api.post(f"/users/{bob.id}/mute", json={"duration_seconds": 3600}, headers=ann.headers)
    assert muted.status_code == 204, muted.text
    mutes = api.get("/mutes", headers=ann.headers).json()["items"]
    assert [m["username"] for m in mutes] == [bob.username] and mutes[0]["expires_at"]
    assert api.get(f"/posts/{said}", headers=ann.headers).status_code == 404
    assert api.get(f"/posts/{said}", headers=bob.headers).status_code == 200
    short = api.post(f"/users/{bob.id}/mute", json={"duration_seconds": 5}, headers=ann.headers)
    assert short.status_code == 400
    assert api.delete(f"/users/{bob.id}/mute", headers=ann.headers).status_code == 204
    assert api.get("/mutes", headers=ann.headers).json()["items"] == []


def test_report_queue_action_and_audit_log(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    mod: Account = make_account("mod")
    ann: Account = make_account()
    troll: Account = make_account("troll")
    _make_moderator(api_server, mod)
    bad = _post(api, troll, "something nasty")
    made = api.post(
        "/reports",
        json={"post_id": bad, "reason": "abuse", "comment": "rude"},
        headers=ann.headers,
    )
    assert made.status_code == 201, made.text
    report = made.json()
    assert (report["target"], report["status"], report["post_id"]) == (troll.username, "open", bad)
    bad_reason = api.post(
        "/reports", json={"user_id": troll.id, "reason": "meh"}, headers=ann.headers
    )
    assert bad_reason.status_code == 400
    both = api.post("/reports", json={"reason": "spam"}, headers=ann.headers)
    assert both.status_code == 400

    queue = api.get("/moderation/reports", params={"per_page": 100}, headers=mod.headers).json()
    assert report["id"] in [r["id"] for r in queue["items"]]
    hidden = api.post(
        f"/moderation/posts/{bad}/hide",
        json={"reason": "insults", "report_id": report["id"]},
        headers=mod.headers,
    )
    assert hidden.status_code == 204, hidden.text
    assert api.get(f"/posts/{bad}", headers=ann.headers).status_code == 404
    assert api.get(f"/posts/{bad}", headers=troll.headers).status_code == 200
    again = api.post(f"/moderation/reports/{report['id']}/dismiss", json={}, headers=mod.headers)
    assert again.status_code == 409

    suspended = api.post(
        f"/moderation/users/{troll.id}/suspend", json={"reason": "spam"}, headers=mod.headers
    )
    assert suspended.status_code == 204, suspended.text
    assert api.get("/feed", headers=troll.headers).status_code == 401  # the token ended
    log = api.get("/moderation/log", params={"user_id": troll.id}, headers=mod.headers).json()[
        "items"
    ]
    assert [(a["action"], a["moderator"], a["reason"]) for a in log] == [
        ("suspend", mod.username, "spam"),
        ("hide", mod.username, "insults"),
    ]
    assert (
        api.delete(f"/moderation/users/{troll.id}/suspend", headers=mod.headers).status_code == 204
    )


def test_message_policy(api: httpx.Client, make_account) -> None:
    ann: Account = make_account()
    bob: Account = make_account()
    refused = api.put("/settings/message-policy", json={"message_policy": "x"}, headers=ann.headers)
    assert refused.status_code == 400
    ok = api.put("/settings/message-policy", json={"message_policy": "nobody"}, headers=ann.headers)
    assert ok.status_code == 204
    sent = api.post(f"/conversations/{ann.username}", json={"body": "hi"}, headers=bob.headers)
    assert sent.status_code == 403, sent.text


def test_only_an_administrator_grants_and_revokes_the_role(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    boss: Account = make_account("boss")
    mod: Account = make_account("mod")
    ann: Account = make_account()
    _make_moderator(api_server, mod)
    with Session(api_server.engine) as db:
        user = db.get(User, boss.id)
        assert user is not None
        user.is_admin = True
        db.add(user)
        db.commit()
    # A moderator is not an administrator.
    assert api.put(f"/moderation/moderators/{ann.id}", headers=mod.headers).status_code == 403
    assert api.get("/moderation/reports", headers=ann.headers).status_code == 403
    assert api.put(f"/moderation/moderators/{ann.id}", headers=boss.headers).status_code == 204
    assert api.get("/moderation/reports", headers=ann.headers).status_code == 200
    assert api.put("/moderation/moderators/999999", headers=boss.headers).status_code == 404
    assert api.delete(f"/moderation/moderators/{ann.id}", headers=boss.headers).status_code == 204
    assert api.get("/moderation/reports", headers=ann.headers).status_code == 403
    log = api.get("/moderation/log", params={"user_id": ann.id}, headers=boss.headers).json()
    assert [(a["action"], a["moderator"]) for a in log["items"]] == [
        ("revoke_moderator", boss.username),
        ("grant_moderator", boss.username),
    ]


def test_a_dismissal_is_undone_and_the_log_pages_by_keyset(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    mod: Account = make_account("mod")
    ann: Account = make_account()
    troll: Account = make_account("troll")
    _make_moderator(api_server, mod)
    made = api.post("/reports", json={"user_id": troll.id, "reason": "spam"}, headers=ann.headers)
    rid = made.json()["id"]
    assert (
        api.post(f"/moderation/reports/{rid}/dismiss", json={}, headers=mod.headers).status_code
        == 204
    )
    reopened = api.post(
        f"/moderation/reports/{rid}/reopen", json={"reason": "too quick"}, headers=mod.headers
    )
    assert reopened.status_code == 204, reopened.text
    again = api.post(f"/moderation/reports/{rid}/reopen", json={}, headers=mod.headers)
    assert again.status_code == 409
    queue = api.get("/moderation/reports", params={"per_page": 100}, headers=mod.headers).json()
    assert rid in [r["id"] for r in queue["items"]]
    for _ in range(2):
        api.post(f"/moderation/users/{troll.id}/limit", json={"reason": "x"}, headers=mod.headers)
        api.delete(f"/moderation/users/{troll.id}/limit", headers=mod.headers)
    pages: list[list[str]] = []
    params: dict[str, int] = {"per_page": 2, "user_id": troll.id}
    while True:
        body = api.get("/moderation/log", params=params, headers=mod.headers).json()
        pages.append([a["action"] for a in body["items"]])
        if body["next_before"] is None:
            assert not body["has_next"]
            break
        params["before"] = body["next_before"]
    assert pages == [
        ["unlimit", "limit"],
        ["unlimit", "limit"],
        ["reopen", "dismiss"],
    ]
    assert api.get("/moderation/log", params={"before": 0}, headers=mod.headers).status_code == 400


def test_the_queue_pages_by_keyset_and_the_log_says_what_was_undone(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    mod: Account = make_account("mod")
    troll: Account = make_account("troll")
    _make_moderator(api_server, mod)
    made = []
    for _ in range(3):
        reporter: Account = make_account()
        report = api.post(
            "/reports", json={"user_id": troll.id, "reason": "spam"}, headers=reporter.headers
        )
        made.append(report.json()["id"])
    seen: list[int] = []
    params: dict[str, int] = {"per_page": 2}
    while True:
        body = api.get("/moderation/reports", params=params, headers=mod.headers).json()
        seen += [r["id"] for r in body["items"]]
        if body["next_after"] is None:
            assert not body["has_next"]
            break
        params["after"] = body["next_after"]
    assert [rid for rid in seen if rid in made] == made  # oldest first, each once
    assert (
        api.get("/moderation/reports", params={"after": 0}, headers=mod.headers).status_code == 400
    )

    api.post(f"/moderation/users/{troll.id}/limit", json={}, headers=mod.headers)
    api.delete(f"/moderation/users/{troll.id}/limit", headers=mod.headers)
    api.post(f"/moderation/users/{troll.id}/limit", json={}, headers=mod.headers)
    log = api.get("/moderation/log", params={"user_id": troll.id}, headers=mod.headers).json()
    assert [(a["action"], a["undone"]) for a in log["items"]] == [
        ("limit", False),
        ("unlimit", False),
        ("limit", True),
    ]
    again = api.delete(f"/moderation/users/{troll.id}/limit", headers=mod.headers)
    assert again.status_code == 204
    twice = api.delete(f"/moderation/users/{troll.id}/limit", headers=mod.headers)
    assert twice.status_code == 409 and "already" in twice.json()["message"]
