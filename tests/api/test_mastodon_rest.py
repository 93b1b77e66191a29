"""The Mastodon client API's REST endpoints over real HTTP (SQLite and PostgreSQL): every
endpoint's answer checked against the entities' shapes (tests/api/mastodon_shapes.py), keyset
pagination with Link headers, who may do what, and the safety rules (blocks, mutes)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image

from tests.api.conftest import Account, ApiServer
from tests.api.mastodon_shapes import (
    ACCOUNT,
    MEDIA,
    NOTIFICATION,
    RELATIONSHIP,
    STATUS,
    STATUS_EDIT,
    check,
)


@pytest.fixture
def masto(api_server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_server.base, timeout=30) as client:
        yield client


def post(masto: httpx.Client, who: Account, text: str, **fields: object) -> dict:
    answer = masto.post("/api/v1/statuses", json={"status": text, **fields}, headers=who.headers)
    assert answer.status_code == 200, answer.text
    check(answer.json(), STATUS)
    return answer.json()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def links(response: httpx.Response) -> dict[str, str]:
    return {
        rel: url
        for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("link", ""))
    }


def test_accounts_read_lookup_search_and_relationships(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("ann", about_me="Hello <b>world</b>\nsecond line")
    bob: Account = make_account("bob")
    one = masto.get(f"/api/v1/accounts/{ann.id}")
    assert one.status_code == 200
    check(one.json(), ACCOUNT)
    assert one.json()["id"] == str(ann.id) and one.json()["acct"] == ann.username
    assert one.json()["note"] == "<p>Hello &lt;b&gt;world&lt;/b&gt;<br>second line</p>"
    found = masto.get("/api/v1/accounts/lookup", params={"acct": f"@{ann.username.upper()}"})
    assert found.status_code == 200 and found.json()["id"] == str(ann.id)
    assert masto.get("/api/v1/accounts/lookup", params={"acct": "nobody-here"}).status_code == 404
    assert masto.get("/api/v1/accounts/99999999").json() == {"error": "Record not found"}
    assert masto.get("/api/v1/accounts/abc").status_code == 404

    hits = masto.get("/api/v1/accounts/search", params={"q": ann.username}, headers=bob.headers)
    assert hits.status_code == 200 and [a["id"] for a in hits.json()] == [str(ann.id)]
    check(hits.json()[0], ACCOUNT)
    assert masto.get("/api/v1/accounts/search", params={"q": "x"}).status_code == 401

    followed = masto.post(f"/api/v1/accounts/{ann.id}/follow", headers=bob.headers)
    assert followed.status_code == 200
    check(followed.json(), RELATIONSHIP)
    assert followed.json()["following"] is True
    relation = masto.get(
        "/api/v1/accounts/relationships", params={"id[]": [ann.id, bob.id]}, headers=ann.headers
    )
    assert [(r["id"], r["followed_by"], r["following"]) for r in relation.json()] == [
        (str(ann.id), False, False),
        (str(bob.id), True, False),
    ]
    counted = masto.get(f"/api/v1/accounts/{ann.id}").json()
    assert counted["followers_count"] == 1 and counted["following_count"] == 0
    followers = masto.get(f"/api/v1/accounts/{ann.id}/followers")
    assert [a["id"] for a in followers.json()] == [str(bob.id)]
    following = masto.get(f"/api/v1/accounts/{bob.id}/following")
    assert [a["id"] for a in following.json()] == [str(ann.id)]
    # Followers page with opaque cursors in the Link header.
    more = [make_account("fan") for _ in range(2)]
    for fan in more:
        masto.post(f"/api/v1/accounts/{ann.id}/follow", headers=fan.headers)
    page = masto.get(f"/api/v1/accounts/{ann.id}/followers", params={"limit": 2})
    assert [a["id"] for a in page.json()] == [str(more[1].id), str(more[0].id)]
    rest = masto.get(links(page)["next"])
    assert [a["id"] for a in rest.json()] == [str(bob.id)] and "next" not in links(rest)
    back = masto.get(links(rest)["prev"])  # min_id: the page above
    assert "min_id=" in links(rest)["prev"]
    assert [a["id"] for a in back.json()] == [str(more[1].id), str(more[0].id)]
    for fan in more:
        masto.post(f"/api/v1/accounts/{ann.id}/unfollow", headers=fan.headers)
    gone = masto.post(f"/api/v1/accounts/{ann.id}/unfollow", headers=bob.headers)
    assert gone.json()["following"] is False
    assert masto.get(f"/api/v1/accounts/{ann.id}/followers").json() == []
    assert masto.post(f"/api/v1/accounts/{ann.id}/follow").status_code == 401
    me = masto.post(f"/api/v1/accounts/{bob.id}/follow", headers=bob.headers)
    assert me.status_code == 422 and "error" in me.json()


def test_statuses_post_reply_edit_history_context_delete(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    first = post(masto, ann, "Hello **world** #MastoTest")
    assert first["content"].startswith("<p>") and "<strong>world</strong>" in first["content"]
    assert first["account"]["id"] == str(ann.id) and first["visibility"] == "public"
    shown = masto.get(f"/api/v1/statuses/{first['id']}")
    assert shown.status_code == 200
    check(shown.json(), STATUS)
    assert [t["name"] for t in shown.json()["tags"]] == ["mastotest"]

    reply = post(masto, bob, f"@{ann.username} yes", in_reply_to_id=first["id"])
    assert reply["in_reply_to_id"] == first["id"]
    assert reply["in_reply_to_account_id"] == str(ann.id)
    assert [(m["id"], m["acct"]) for m in reply["mentions"]] == [(str(ann.id), ann.username)]
    assert reply["mentions"][0]["url"].endswith(f"/user/{ann.username}")
    context = masto.get(f"/api/v1/statuses/{reply['id']}/context").json()
    assert [s["id"] for s in context["ancestors"]] == [first["id"]]
    down = masto.get(f"/api/v1/statuses/{first['id']}/context").json()
    assert [s["id"] for s in down["descendants"]] == [reply["id"]] and down["ancestors"] == []
    check(down["descendants"][0], STATUS)

    edited = masto.put(
        f"/api/v1/statuses/{first['id']}", json={"status": "Hello again"}, headers=ann.headers
    )
    assert edited.status_code == 200 and edited.json()["edited_at"]
    assert "Hello again" in edited.json()["content"]
    history = masto.get(f"/api/v1/statuses/{first['id']}/history").json()
    assert len(history) == 2 and "world" in history[0]["content"]
    assert "again" in history[1]["content"]
    for version in history:
        check(version, STATUS_EDIT)
    source = masto.get(f"/api/v1/statuses/{first['id']}/source", headers=ann.headers)
    assert source.json() == {"id": first["id"], "text": "Hello again", "spoiler_text": ""}

    # One user's token cannot edit or delete another's status.
    theirs = masto.delete(f"/api/v1/statuses/{first['id']}", headers=bob.headers)
    assert theirs.status_code == 404 and theirs.json() == {"error": "Record not found"}
    not_mine = masto.put(
        f"/api/v1/statuses/{first['id']}", json={"status": "mine now"}, headers=bob.headers
    )
    assert not_mine.status_code == 404
    assert "Hello again" in masto.get(f"/api/v1/statuses/{first['id']}").json()["content"]
    deleted = masto.delete(f"/api/v1/statuses/{reply['id']}", headers=bob.headers)
    assert deleted.status_code == 200 and deleted.json()["text"] == f"@{ann.username} yes"
    assert masto.get(f"/api/v1/statuses/{reply['id']}").status_code == 404
    assert masto.post("/api/v1/statuses", json={"status": "x"}).status_code == 401


def test_statuses_refuse_what_we_do_not_serve(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("ann")
    for fields, word in (
        ({"visibility": "direct"}, "visibility"),
        ({"visibility": "private"}, "visibility"),
        ({"spoiler_text": "careful"}, "spoiler_text"),
        ({"poll": {"options": ["a", "b"], "expires_in": 600}}, "polls"),
    ):
        refused = masto.post(
            "/api/v1/statuses", json={"status": "hi", **fields}, headers=ann.headers
        )
        assert refused.status_code == 422 and word in refused.json()["error"], refused.text
    empty = masto.post("/api/v1/statuses", json={"status": "  "}, headers=ann.headers)
    assert empty.status_code == 422 and empty.json()["error"].startswith("Validation failed")
    assert masto.get(f"/api/v1/accounts/{ann.id}/statuses").json() == []
    unlisted = post(masto, ann, "unlisted is public", visibility="unlisted")
    assert unlisted["visibility"] == "public"

    def chunks() -> Iterator[bytes]:
        yield b'{"status": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    streamed = masto.post(
        "/api/v1/statuses",
        content=chunks(),
        headers={**ann.headers, "Content-Type": "application/json"},
    )
    assert streamed.status_code == 413 and streamed.json() == {"error": "The body is too large"}
    form = masto.post("/api/v1/statuses", data={"status": "from a form"}, headers=ann.headers)
    assert form.status_code == 200 and "from a form" in form.json()["content"]


def test_favourite_reblog_and_who_did(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    status = post(masto, ann, "like me")
    liked = masto.post(f"/api/v1/statuses/{status['id']}/favourite", headers=bob.headers)
    assert liked.status_code == 200
    assert liked.json()["favourited"] is True and liked.json()["favourites_count"] == 1
    boosted = masto.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    assert boosted.status_code == 200
    check(boosted.json(), STATUS)
    boost = boosted.json()
    assert boost["id"] != status["id"] and boost["account"]["id"] == str(bob.id)
    assert boost["reblog"]["id"] == status["id"] and boost["reblog"]["reblogged"] is True
    by = masto.get(f"/api/v1/statuses/{status['id']}/favourited_by")
    assert [a["id"] for a in by.json()] == [str(bob.id)]
    check(by.json()[0], ACCOUNT)
    assert [a["id"] for a in masto.get(f"/api/v1/statuses/{status['id']}/reblogged_by").json()] == [
        str(bob.id)
    ]
    # Bob's profile lists the boost; his home timeline too.
    listed = masto.get(f"/api/v1/accounts/{bob.id}/statuses").json()
    assert [(s["id"], s["reblog"]["id"]) for s in listed] == [(boost["id"], status["id"])]
    assert (
        masto.get(f"/api/v1/accounts/{bob.id}/statuses", params={"exclude_reblogs": "true"}).json()
        == []
    )
    undone = masto.post(f"/api/v1/statuses/{status['id']}/unfavourite", headers=bob.headers)
    assert undone.json()["favourited"] is False and undone.json()["favourites_count"] == 0
    unboosted = masto.post(f"/api/v1/statuses/{status['id']}/unreblog", headers=bob.headers)
    assert unboosted.json()["reblogged"] is False and unboosted.json()["id"] == status["id"]
    assert masto.get(f"/api/v1/statuses/{status['id']}/reblogged_by").json() == []
    assert masto.post(f"/api/v1/statuses/{status['id']}/favourite").status_code == 401


def test_media_upload_describe_and_post(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    uploaded = masto.post(
        "/api/v2/media",
        files={"file": ("red.png", png(), "image/png")},
        data={"description": "A red square"},
        headers=ann.headers,
    )
    assert uploaded.status_code == 200, uploaded.text
    check(uploaded.json(), MEDIA)
    media = uploaded.json()
    assert media["description"] == "A red square" and media["meta"]["original"]["width"] == 64
    v1 = masto.post(
        "/api/v1/media", files={"file": ("r.png", png(), "image/png")}, headers=ann.headers
    )
    assert v1.status_code == 200 and v1.json()["description"] is None
    changed = masto.put(
        f"/api/v1/media/{media['id']}", data={"description": "Red"}, headers=ann.headers
    )
    assert changed.status_code == 200 and changed.json()["description"] == "Red"
    assert masto.get(f"/api/v1/media/{media['id']}", headers=ann.headers).status_code == 200
    assert masto.get(f"/api/v1/media/{media['id']}", headers=bob.headers).status_code == 404
    not_a_picture = masto.post(
        "/api/v2/media", files={"file": ("x.png", b"<svg/>", "image/png")}, headers=ann.headers
    )
    assert not_a_picture.status_code == 422 and "picture" in not_a_picture.json()["error"]
    as_json = masto.post("/api/v2/media", json={"file": "x"}, headers=ann.headers)
    assert as_json.status_code == 415 and "multipart" in as_json.json()["error"]
    huge = masto.post(
        "/api/v2/media",
        files={"file": ("big.png", b"\0" * (11 * 1024 * 1024), "image/png")},
        headers=ann.headers,
    )
    assert huge.status_code == 413 and "larger" in huge.json()["error"]
    theirs = masto.post(
        "/api/v1/statuses", json={"status": "", "media_ids": [media["id"]]}, headers=bob.headers
    )
    assert theirs.status_code in (404, 422)
    with_picture = post(masto, ann, "", media_ids=[media["id"]])
    assert [m["description"] for m in with_picture["media_attachments"]] == ["Red"]
    only_media = masto.get(
        f"/api/v1/accounts/{ann.id}/statuses", params={"only_media": "true"}
    ).json()
    assert [s["id"] for s in only_media] == [with_picture["id"]]


def test_timelines_paginate_with_link_headers(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    masto.post(f"/api/v1/accounts/{ann.id}/follow", headers=bob.headers)
    written = [post(masto, ann, f"number {i} #pagetag{ann.id}")["id"] for i in range(5)]
    newest_first = written[::-1]
    first = masto.get("/api/v1/timelines/home", params={"limit": 2}, headers=bob.headers)
    assert first.status_code == 200
    assert [s["id"] for s in first.json()] == newest_first[:2]
    for status in first.json():
        check(status, STATUS)
    nxt = links(first)["next"]
    assert f"max_id={newest_first[1]}" in nxt and "limit=2" in nxt
    second = masto.get(nxt, headers=bob.headers)
    assert [s["id"] for s in second.json()] == newest_first[2:4]
    third = masto.get(links(second)["next"], headers=bob.headers)
    assert [s["id"] for s in third.json()] == newest_first[4:]
    assert "next" not in links(third)
    newer = masto.get(
        "/api/v1/timelines/home", params={"since_id": written[2]}, headers=bob.headers
    )
    assert [s["id"] for s in newer.json()] == newest_first[:2]
    prev = masto.get(links(second)["prev"], headers=bob.headers)
    assert [s["id"] for s in prev.json()] == newest_first[:2]
    capped = masto.get("/api/v1/timelines/home", params={"limit": 500}, headers=bob.headers)
    assert capped.status_code == 200 and len(capped.json()) == 5
    assert masto.get("/api/v1/timelines/home").status_code == 401

    public = masto.get("/api/v1/timelines/public", params={"limit": 40, "local": "true"})
    assert set(written) <= {s["id"] for s in public.json()}
    tag = masto.get(f"/api/v1/timelines/tag/PageTag{ann.id}", params={"limit": 3})
    assert [s["id"] for s in tag.json()] == newest_first[:3]
    assert {t["name"] for s in tag.json() for t in s["tags"]} == {f"pagetag{ann.id}"}
    assert [s["id"] for s in masto.get(links(tag)["next"]).json()] == newest_first[3:]
    assert masto.get("/api/v1/timelines/tag/nobodyusesthis").json() == []
    named = masto.get(f"/api/v1/tags/PAGETAG{ann.id}").json()
    assert named["name"] == f"pagetag{ann.id}" and named["history"] == []
    profile = masto.get(f"/api/v1/accounts/{ann.id}/statuses", params={"limit": 4})
    assert [s["id"] for s in profile.json()] == newest_first[:4]
    assert [s["id"] for s in masto.get(links(profile)["next"]).json()] == newest_first[4:]


def test_blocks_and_mutes_apply(masto: httpx.Client, make_account) -> None:
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    status = post(masto, ann, "before the block")
    blocked = masto.post(f"/api/v1/accounts/{ann.id}/block", headers=bob.headers)
    assert blocked.status_code == 200 and blocked.json()["blocking"] is True
    seen_by_ann = masto.get(
        "/api/v1/accounts/relationships", params={"id[]": bob.id}, headers=ann.headers
    ).json()
    assert seen_by_ann[0]["blocked_by"] is True
    # Neither sees the other's posts; ann cannot reply to, favourite or follow bob.
    assert masto.get(f"/api/v1/statuses/{status['id']}", headers=bob.headers).status_code == 404
    bobs = post(masto, bob, "bob writes")
    assert masto.get(f"/api/v1/statuses/{bobs['id']}", headers=ann.headers).status_code == 404
    assert (
        masto.post(f"/api/v1/statuses/{bobs['id']}/favourite", headers=ann.headers).status_code
        == 404
    )
    assert masto.post(f"/api/v1/accounts/{bob.id}/follow", headers=ann.headers).status_code == 403
    public = masto.get("/api/v1/timelines/public", params={"limit": 40}, headers=bob.headers)
    assert status["id"] not in {s["id"] for s in public.json()}
    unblocked = masto.post(f"/api/v1/accounts/{ann.id}/unblock", headers=bob.headers)
    assert unblocked.json()["blocking"] is False

    muted = masto.post(f"/api/v1/accounts/{ann.id}/mute", headers=bob.headers)
    assert muted.status_code == 200 and muted.json()["muting"] is True
    assert muted.json()["muting_notifications"] is True
    masto.post(f"/api/v1/accounts/{ann.id}/follow", headers=bob.headers)
    home = masto.get("/api/v1/timelines/home", headers=bob.headers)
    assert status["id"] not in {s["id"] for s in home.json()}
    timed = masto.post(
        f"/api/v1/accounts/{ann.id}/mute",
        json={"notifications": False, "duration": 3600},
        headers=bob.headers,
    )
    assert timed.json()["muting_notifications"] is False
    unmuted = masto.post(f"/api/v1/accounts/{ann.id}/unmute", headers=bob.headers)
    assert unmuted.json()["muting"] is False
    home = masto.get("/api/v1/timelines/home", headers=bob.headers)
    assert status["id"] in {s["id"] for s in home.json()}


def test_notifications_list_filter_get_dismiss_clear_and_markers(
    masto: httpx.Client, make_account
) -> None:
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    status = post(masto, ann, "notice me")
    masto.post(f"/api/v1/accounts/{ann.id}/follow", headers=bob.headers)
    masto.post(f"/api/v1/statuses/{status['id']}/favourite", headers=bob.headers)
    masto.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    reply = post(masto, bob, "a reply", in_reply_to_id=status["id"])
    listed = masto.get("/api/v1/notifications", headers=ann.headers)
    assert listed.status_code == 200
    assert [n["type"] for n in listed.json()] == ["mention", "reblog", "favourite", "follow"]
    for notice in listed.json():
        check(notice, NOTIFICATION)
        assert notice["account"]["id"] == str(bob.id)
    assert listed.json()[0]["status"]["id"] == reply["id"]
    assert listed.json()[1]["status"]["id"] == status["id"]
    assert listed.json()[3]["status"] is None
    only = masto.get(
        "/api/v1/notifications", params={"types[]": ["favourite", "follow"]}, headers=ann.headers
    )
    assert [n["type"] for n in only.json()] == ["favourite", "follow"]
    without = masto.get(
        "/api/v1/notifications", params={"exclude_types[]": "mention"}, headers=ann.headers
    )
    assert [n["type"] for n in without.json()] == ["reblog", "favourite", "follow"]
    paged = masto.get("/api/v1/notifications", params={"limit": 3}, headers=ann.headers)
    rest = masto.get(links(paged)["next"], headers=ann.headers)
    assert [n["type"] for n in rest.json()] == ["follow"]

    newest = listed.json()[0]["id"]
    one = masto.get(f"/api/v1/notifications/{newest}", headers=ann.headers)
    assert one.status_code == 200 and one.json()["type"] == "mention"
    assert masto.get(f"/api/v1/notifications/{newest}", headers=bob.headers).status_code == 404

    markers = masto.get(
        "/api/v1/markers", params={"timeline[]": "notifications"}, headers=ann.headers
    )
    assert markers.json()["notifications"]["last_read_id"] == "0"
    moved = masto.post(
        "/api/v1/markers", data={"notifications[last_read_id]": newest}, headers=ann.headers
    )
    assert moved.status_code == 200 and moved.json()["notifications"]["last_read_id"] == newest
    back = masto.post(
        "/api/v1/markers", json={"notifications": {"last_read_id": "1"}}, headers=ann.headers
    )
    assert back.json()["notifications"]["last_read_id"] == newest  # a marker never goes back

    theirs = masto.post(f"/api/v1/notifications/{newest}/dismiss", headers=bob.headers)
    assert theirs.status_code == 404
    dismissed = masto.post(f"/api/v1/notifications/{newest}/dismiss", headers=ann.headers)
    assert dismissed.status_code == 200 and dismissed.json() == {}
    assert [n["type"] for n in masto.get("/api/v1/notifications", headers=ann.headers).json()] == [
        "reblog",
        "favourite",
        "follow",
    ]
    assert masto.post("/api/v1/notifications/clear", headers=ann.headers).json() == {}
    assert masto.get("/api/v1/notifications", headers=ann.headers).json() == []
    assert masto.get("/api/v1/notifications").status_code == 401

    prefs = masto.get("/api/v1/preferences", headers=ann.headers)
    assert prefs.json()["posting:default:visibility"] == "public"
