"""What the API changes reaches open pages live, as the UI's changes do: the services publish the
events after commit. Observed on the real Redis channel the server publishes to (the server is
started with REDIS_URL when TEST_REDIS_URL is set; without it, this is skipped)."""

from __future__ import annotations

import os
import time

import httpx
import pytest

from microblog.config import normalize_database_url
from microblog.live.events import INBOX, NEW_POST, LiveEvent
from microblog.live.hub import channel_for
from tests.api.conftest import Account, ApiServer


def test_api_post_and_follow_publish_live_events(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL not set (CI sets it to the local Redis)")
    import redis

    me: Account = make_account()
    star: Account = make_account()
    client = redis.Redis.from_url(url)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel_for(normalize_database_url(api_server.database_url)))
    try:
        assert api.post(f"/users/{star.id}/follow", headers=me.headers).status_code == 204
        post = api.post("/posts", json={"body": "live!"}, headers=star.headers).json()
        events: list[LiveEvent] = []
        deadline = time.monotonic() + 10
        while len(events) < 2 and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=1)
            if message:
                events.append(LiveEvent.from_json(message["data"]))
    finally:
        pubsub.close()
        client.close()
    assert [(e.kind, e.user_ids) for e in events[:1]] == [(INBOX, (star.id,))]  # a notification
    assert (events[1].kind, events[1].author_id, events[1].ref_id) == (
        NEW_POST,
        star.id,
        post["id"],
    )
