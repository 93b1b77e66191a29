"""Private messages over the API, as conversations, with the pages' rules: the list (one per
person, newest first, unread counts, reading nothing), one conversation (both sides, newest
first; its newest page reads it), sending; their shapes; the errors."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from microblog.config import normalize_database_url
from microblog.live.events import INBOX, MESSAGES, LiveEvent
from microblog.live.hub import channel_for
from tests.api.conftest import Account, ApiServer
from tests.api.test_api_contract import GRAVATAR, ISO_UTC, check_collection, check_error


def _send(api: httpx.Client, sender: Account, to: Account, body: str) -> dict:
    response = api.post(
        f"/conversations/{to.username}", json={"body": body}, headers=sender.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def check_message(message: dict, *, me: Account, other: Account) -> None:
    assert set(message) == {"id", "body", "timestamp", "from_me", "_links"}
    assert isinstance(message["id"], int) and isinstance(message["body"], str)
    assert ISO_UTC.match(message["timestamp"])
    sender, recipient = (me, other) if message["from_me"] else (other, me)
    assert message["_links"] == {
        "sender": f"/api/users/{sender.id}",
        "recipient": f"/api/users/{recipient.id}",
    }


def test_send_list_and_read_a_conversation(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    bob: Account = make_account()
    carol: Account = make_account()
    first = _send(api, bob, me, "  hello from bob  ")
    assert first["body"] == "hello from bob" and first["from_me"] is True
    _send(api, me, carol, "hi carol")
    _send(api, bob, me, "are you there?")

    listing = api.get("/conversations", headers=me.headers)
    assert listing.status_code == 200
    body = listing.json()
    check_collection(body, "/api/conversations", counted=False)
    assert [
        (c["user"]["username"], c["last_message"]["body"], c["unread"]) for c in body["items"]
    ] == [
        (bob.username, "are you there?", 2),
        (carol.username, "hi carol", 0),
    ]
    for item, other in zip(body["items"], (bob, carol), strict=True):
        assert set(item) == {"user", "last_message", "unread", "_links"}
        assert item["user"]["id"] == other.id and GRAVATAR.match(item["user"]["avatar"])
        assert item["_links"] == {
            "self": f"/api/conversations/{other.username}",
            "user": f"/api/users/{other.id}",
        }
        check_message(item["last_message"], me=me, other=other)
    assert body["items"][1]["last_message"]["from_me"] is True
    # Listing read nothing.
    again = api.get("/conversations", headers=me.headers).json()
    assert again["items"][0]["unread"] == 2

    # Page 2 of the conversation reads nothing; page 1 reads it.
    older = api.get(f"/conversations/{bob.username}?per_page=1&page=2", headers=me.headers)
    assert [m["body"] for m in older.json()["items"]] == ["hello from bob"]
    assert api.get("/conversations", headers=me.headers).json()["items"][0]["unread"] == 2
    conversation = api.get(f"/conversations/{bob.username.upper()}", headers=me.headers)
    assert conversation.status_code == 200
    messages = conversation.json()
    check_collection(messages, f"/api/conversations/{bob.username}", counted=False)
    assert [m["body"] for m in messages["items"]] == ["are you there?", "hello from bob"]
    for message in messages["items"]:
        check_message(message, me=me, other=bob)
    assert api.get("/conversations", headers=me.headers).json()["items"][0]["unread"] == 0
    # Bob's side: his own messages, nothing unread for him.
    his = api.get(f"/conversations/{me.username}", headers=bob.headers).json()
    assert [m["from_me"] for m in his["items"]] == [True, True]


def test_conversation_pages_link_to_each_other(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    bob: Account = make_account()
    for i in range(3):
        _send(api, bob, me, f"m{i}")
    path = f"/conversations/{bob.username}"
    first = api.get(f"{path}?per_page=2", headers=me.headers).json()
    assert first["_links"]["next"] == f"/api{path}?page=2&per_page=2"
    assert first["_links"]["prev"] is None
    second = api.get(first["_links"]["next"].removeprefix("/api"), headers=me.headers).json()
    assert [m["body"] for m in second["items"]] == ["m0"]
    assert second["_links"]["next"] is None


def test_messages_follow_the_ui_rules(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    bob: Account = make_account()
    path = f"/conversations/{bob.username}"
    for body, words in (("   ", "Write a message"), ("x" * 141, "at most 140")):
        response = api.post(path, json={"body": body}, headers=me.headers)
        check_error(response, 400, "Bad Request")
        assert words in response.json()["message"]
    assert api.post(path, json={}, headers=me.headers).status_code == 400
    assert api.post(path, content="hi", headers=me.headers).status_code == 415
    check_error(api.post(path, json={"body": "hi"}), 401, "Unauthorized")
    check_error(api.get("/conversations"), 401, "Unauthorized")

    yourself = api.post(f"/conversations/{me.username}", json={"body": "hi"}, headers=me.headers)
    check_error(yourself, 400, "Bad Request")
    assert yourself.json()["message"] == "You cannot send a message to yourself."
    check_error(api.get(f"/conversations/{me.username}", headers=me.headers), 400, "Bad Request")
    for missing in ("nobody-here", "a%00b"):
        check_error(api.get(f"/conversations/{missing}", headers=me.headers), 404, "Not Found")
        response = api.post(f"/conversations/{missing}", json={"body": "hi"}, headers=me.headers)
        check_error(response, 404, "Not Found")
    assert api.get("/conversations", headers=bob.headers).json()["items"] == []


def test_a_message_sent_over_the_api_reaches_open_pages_live(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (CI sets it to the local Redis)")
    import redis

    me: Account = make_account()
    bob: Account = make_account()
    client = redis.Redis.from_url(url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel_for(normalize_database_url(api_server.database_url)))
    try:
        sent = _send(api, me, bob, "over the API")
        events: list[LiveEvent] = []
        deadline = time.monotonic() + 10
        while len(events) < 2 and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=1)
            if message:
                events.append(LiveEvent.from_json(message["data"]))
    finally:
        pubsub.close()
        client.close()
    assert events == [
        LiveEvent(MESSAGES, user_ids=(me.id, bob.id), author_id=me.id, ref_id=sent["id"]),
        LiveEvent(INBOX, user_ids=(bob.id,)),
    ]
