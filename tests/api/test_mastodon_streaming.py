"""Mastodon's streaming API over real HTTP, read by clients we did not write: Mastodon.py's
server-sent events (at the address our /api/v1/instance gives) and websocket-client's
WebSocket, against granian serving the backend on SQLite and PostgreSQL, with Redis as the hub
when TEST_REDIS_URL is set (then an event published by another process reaches the stream).

Every wait is on an event or a frame with a timeout; "nothing else arrived" is shown by a later
event arriving first, never by waiting for silence."""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websocket
from mastodon import Mastodon, StreamListener
from sqlmodel import Session

from microblog.config import normalize_database_url
from microblog.live.events import NEW_POST, LiveEvent
from microblog.live.hub import RedisHub, channel_for
from microblog.models import Post
from tests.api.conftest import (
    PASSWORD,
    Account,
    ApiServer,
    _database,
    basic,
    register,
    serve_http_app,
)
from tests.api.test_mastodon_scopes import _granted
from tests.app_server import free_port
from tests.conftest import BACKENDS

WAIT = 15.0  # seconds any one expected frame may take on a loaded machine (the bound, not a sleep)


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """The backend on a port it knows (PUBLIC_URL, one port as in production), so the
    streaming address /api/v1/instance gives is its own."""
    work: Path = tmp_path_factory.mktemp(f"stream-{request.param}")
    port = free_port()
    extra = {
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "REFLEX_FRONTEND_PORT": str(port),
        "REFLEX_BACKEND_PORT": str(port),
    }
    if redis_url := os.environ.get("TEST_REDIS_URL"):
        extra["REDIS_URL"] = redis_url
    with _database(request.param, work) as url, serve_http_app(url, work, extra, port=port) as up:
        yield up


@pytest.fixture
def http(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base, timeout=30) as client:
        yield client


def account(http: httpx.Client, prefix: str) -> Account:
    base = str(http.base_url).rstrip("/")
    with httpx.Client(base_url=f"{base}/api", timeout=30) as api:
        return register(api, prefix)


def post(http: httpx.Client, who: Account, text: str) -> dict:
    answer = http.post("/api/v1/statuses", json={"status": text}, headers=who.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def follow(http: httpx.Client, who: Account, whom: Account) -> None:
    answer = http.post(f"/api/v1/accounts/{whom.id}/follow", headers=who.headers)
    assert answer.status_code == 200, answer.text


class Recorder(StreamListener):
    """What Mastodon.py hands the listener, with when it arrived."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.events: queue.Queue[tuple[str, object, float]] = queue.Queue()

    def handle_heartbeat(self) -> None:
        self.open.set()  # our first line is a comment: the stream is subscribed

    def on_update(self, status) -> None:  # type: ignore[no-untyped-def]
        self.events.put(("update", status, time.monotonic()))

    def on_notification(self, notification) -> None:  # type: ignore[no-untyped-def]
        self.events.put(("notification", notification, time.monotonic()))

    def next(self) -> tuple[str, object, float]:
        return self.events.get(timeout=WAIT)


def test_mastodon_py_streams_a_followed_post_and_a_notification_within_a_second(
    http: httpx.Client, server: ApiServer
) -> None:
    ann, bob = account(http, "ann"), account(http, "bob")
    follow(http, bob, ann)
    mine = post(http, bob, "bob's own")
    as_bob = Mastodon(
        access_token=bob.token,
        api_base_url=server.base,
        version_check_mode="none",
        request_timeout=30,
    )
    # The address Mastodon.py streams from is the one our instance gives.
    assert http.get("/api/v1/instance").json()["urls"]["streaming_api"] == server.base.replace(
        "http", "ws", 1
    )
    listener = Recorder()
    handle = as_bob.stream_user(listener, run_async=True)
    try:
        assert listener.open.wait(WAIT)
        sent = time.monotonic()
        status = post(http, ann, "Hello, stream")
        kind, got, received = listener.next()
        assert kind == "update" and str(got.id) == status["id"]  # type: ignore[attr-defined]
        assert got.account.acct == ann.username  # type: ignore[attr-defined]
        update_seconds = received - sent
        assert update_seconds < 1.0, update_seconds

        sent = time.monotonic()
        liked = http.post(f"/api/v1/statuses/{mine['id']}/favourite", headers=ann.headers)
        assert liked.status_code == 200, liked.text
        kind, got, received = listener.next()
        assert kind == "notification", kind
        assert got.type == "favourite"  # type: ignore[attr-defined]
        assert str(got.status.id) == mine["id"]  # type: ignore[attr-defined]
        assert str(got.account.id) == str(ann.id)  # type: ignore[attr-defined]
        notification_seconds = received - sent
        assert notification_seconds < 1.0, notification_seconds
        print(f"streamed update {update_seconds:.3f} s, notification {notification_seconds:.3f} s")
    finally:
        # requests' close() waits for the reading thread's next bytes (the next heartbeat,
        # 20 s on): close from a thread of its own; the server's end ends it at the latest.
        threading.Thread(target=handle.close, daemon=True).start()


def test_mastodon_py_websocket_carries_its_subscriptions(
    http: httpx.Client, server: ApiServer
) -> None:
    """Mastodon.py's own WebSocket transport (a bearer header, subscribe messages, frames
    routed to each subscription's listener by their `stream`)."""
    ann, bob = account(http, "ann"), account(http, "bob")
    follow(http, bob, ann)
    as_bob = Mastodon(
        access_token=bob.token,
        api_base_url=server.base,
        version_check_mode="none",
        request_timeout=30,
    )
    home, tagged = Recorder(), Recorder()
    handle = as_bob.stream_open_websocket()
    try:
        as_bob.stream_user(home, websocket_handle=handle)
        as_bob.stream_hashtag("Birds", tagged, websocket_handle=handle)
        # Both subscriptions went out before the follow: its notification shows they are read.
        follow(http, ann, bob)
        kind, got, _ = home.next()
        assert kind == "notification" and got.type == "follow"  # type: ignore[attr-defined]
        status = post(http, ann, "Look #birds")
        kind, got, _ = home.next()
        assert kind == "update" and str(got.id) == status["id"]  # type: ignore[attr-defined]
        kind, got, _ = tagged.next()
        assert kind == "update" and str(got.id) == status["id"]  # type: ignore[attr-defined]
    finally:
        handle.close()


def ws_url(server: ApiServer, **query: str) -> str:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"{server.base.replace('http', 'ws', 1)}/api/v1/streaming?{params}"


def next_frame(ws: websocket.WebSocket, event: str | None = None) -> dict:
    """The next frame (of `event`), skipping none silently: another kind first is a failure."""
    ws.settimeout(WAIT)
    frame = json.loads(ws.recv())
    if event is not None:
        assert frame.get("event") == event, frame
    return frame


def test_websocket_streams_updates_edits_deletes_and_notifications(
    http: httpx.Client, server: ApiServer
) -> None:
    ann, bob = account(http, "ann"), account(http, "bob")
    follow(http, bob, ann)
    ws = websocket.create_connection(ws_url(server, access_token=bob.token, stream="user"))
    try:
        ws.send(json.dumps({"type": "subscribe", "stream": "public"}))
        ws.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "StreamTag"}))
        ws.send(json.dumps({"type": "subscribe", "stream": "nonsense"}))
        assert next_frame(ws) == {"error": "Unknown stream type", "status": 400}
        status = post(http, ann, f"Tagged #streamtag for @{bob.username}")
        seen = [next_frame(ws) for _ in range(4)]
        updates = sorted(tuple(f["stream"]) for f in seen if f["event"] == "update")
        assert updates == [("hashtag", "StreamTag"), ("public",), ("user",)]
        for frame in seen:
            if frame["event"] == "update":
                assert json.loads(frame["payload"])["id"] == status["id"]
        (notice,) = [f for f in seen if f["event"] == "notification"]
        assert notice["stream"] == ["user"]
        payload = json.loads(notice["payload"])
        assert payload["type"] == "mention" and payload["status"]["id"] == status["id"]

        edited = http.put(
            f"/api/v1/statuses/{status['id']}",
            json={"status": "Edited #streamtag"},
            headers=ann.headers,
        )
        assert edited.status_code == 200, edited.text
        changes = [next_frame(ws, "status.update") for _ in range(3)]
        assert {tuple(f["stream"]) for f in changes} == {
            ("user",),
            ("public",),
            ("hashtag", "StreamTag"),
        }
        assert "Edited" in json.loads(changes[0]["payload"])["content"]

        ws.send(json.dumps({"type": "unsubscribe", "stream": "public"}))
        ws.send(json.dumps({"type": "unsubscribe", "stream": "hashtag", "tag": "StreamTag"}))
        # An unsubscription takes effect before the next event: a bad message's answer shows
        # both were read.
        ws.send("not json")
        assert next_frame(ws) == {"error": "Invalid JSON", "status": 400}
        assert (
            http.delete(f"/api/v1/statuses/{status['id']}", headers=ann.headers).status_code == 200
        )
        gone = next_frame(ws, "delete")
        assert gone == {"stream": ["user"], "event": "delete", "payload": status["id"]}
    finally:
        ws.close()


def test_token_as_subprotocol_and_anonymous_public_stream(
    http: httpx.Client, server: ApiServer
) -> None:
    ann, bob = account(http, "ann"), account(http, "bob")
    by_protocol = websocket.create_connection(ws_url(server), subprotocols=[bob.token])
    anonymous = websocket.create_connection(ws_url(server, stream="public:local"))
    try:
        by_protocol.send(json.dumps({"type": "subscribe", "stream": "user:notification"}))
        # the subscription is read before the follow's event is handled: a bad message answers
        by_protocol.send("{}")
        assert next_frame(by_protocol)["error"] == "Unknown message type"
        follow(http, ann, bob)
        notice = next_frame(by_protocol, "notification")
        assert notice["stream"] == ["user:notification"]
        assert json.loads(notice["payload"])["type"] == "follow"
        status = post(http, ann, "for everyone")
        frame = next_frame(anonymous, "update")
        assert (
            frame["stream"] == ["public:local"]
            and json.loads(frame["payload"])["id"] == status["id"]
        )
        # Without a token only public streams: a user stream is refused, the socket stays.
        anonymous.send(json.dumps({"type": "subscribe", "stream": "user"}))
        assert next_frame(anonymous) == {"error": "Missing access token", "status": 401}
    finally:
        by_protocol.close()
        anonymous.close()


def test_streams_are_refused_without_a_working_token_or_read_scope(
    http: httpx.Client, server: ApiServer
) -> None:
    bob = account(http, "bob")
    assert http.get("/api/v1/streaming/health").text == "OK"
    for headers, path in (
        ({}, "/api/v1/streaming/user"),
        ({"Authorization": "Bearer nope"}, "/api/v1/streaming/user"),
        ({"Authorization": "Bearer nope"}, "/api/v1/streaming/public"),
        ({}, "/api/v1/streaming/user/notification"),
    ):
        with http.stream("GET", path, headers=headers) as answer:
            assert answer.status_code == 401, (path, headers)
    with http.stream("GET", "/api/v1/streaming/hashtag") as answer:  # no tag
        assert answer.status_code == 400
    writer = _granted(http, server, bob, "write")
    with http.stream(
        "GET", "/api/v1/streaming/user", headers={"Authorization": f"Bearer {writer}"}
    ) as answer:
        assert answer.status_code == 401
        answer.read()
        assert answer.json() == {"error": "Access token does not have the required scopes"}
    notifier = _granted(http, server, bob, "read:notifications")
    with http.stream(
        "GET", f"/api/v1/streaming/user/notification?access_token={notifier}"
    ) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
    for query in ({}, {"access_token": "nope"}, {"access_token": writer, "stream": "user"}):
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(ws_url(server, **{"stream": "user", **query}))
        assert refused.value.status_code in (401, 403)


def test_streams_keep_to_their_reader(http: httpx.Client, server: ApiServer) -> None:
    """Carol's stream carries no notification of Bob's; Bob's carries no post of the author he
    blocked, in any stream."""
    ann, bob, carol, dave = (account(http, p) for p in ("ann", "bob", "carol", "dave"))
    follow(http, bob, ann)
    follow(http, bob, dave)
    bobs = post(http, bob, "bob's")
    blocked = http.post(f"/api/v1/accounts/{dave.id}/block", headers=bob.headers)
    assert blocked.status_code == 200, blocked.text
    as_bob = websocket.create_connection(ws_url(server, access_token=bob.token, stream="user"))
    as_carol = websocket.create_connection(ws_url(server, access_token=carol.token, stream="user"))
    try:
        as_bob.send(json.dumps({"type": "subscribe", "stream": "public"}))
        as_bob.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": "both"}))
        as_bob.send("{}")
        assert next_frame(as_bob)["error"] == "Unknown message type"
        liked = http.post(f"/api/v1/statuses/{bobs['id']}/favourite", headers=ann.headers)
        assert liked.status_code == 200
        follow(http, ann, carol)
        frame = next_frame(as_carol, "notification")
        assert json.loads(frame["payload"])["type"] == "follow"  # not bob's like

        assert next_frame(as_bob, "notification")["event"] == "notification"  # bob's like
        post(http, dave, "blocked #both")
        status = post(http, ann, "allowed #both")
        seen = [next_frame(as_bob, "update") for _ in range(3)]
        assert {json.loads(f["payload"])["id"] for f in seen} == {status["id"]}
    finally:
        as_bob.close()
        as_carol.close()


def ended_with(ws: websocket.WebSocket) -> int:
    """The close code the server ended the socket with (waiting for it)."""
    ws.settimeout(WAIT)
    opcode, data = ws.recv_data()
    assert opcode == websocket.ABNF.OPCODE_CLOSE, (opcode, data)
    return int.from_bytes(data[:2], "big")


def test_a_revoked_token_ends_its_streams(http: httpx.Client, server: ApiServer) -> None:
    bob = account(http, "bob")
    with httpx.Client(base_url=f"{server.base}/api", timeout=30) as api:
        token = api.post("/tokens", headers=basic(bob.username, PASSWORD)).json()["token"]
        ws = websocket.create_connection(ws_url(server, access_token=token, stream="user"))
        try:
            headers = {"Authorization": f"Bearer {token}"}
            with http.stream("GET", "/api/v1/streaming/user", headers=headers) as sse:
                assert sse.status_code == 200
                lines = sse.iter_lines()
                assert next(lines) == ":)"
                assert api.delete("/tokens", headers=headers).status_code == 204
                assert list(lines) == []  # the server ends the event stream
            assert ended_with(ws) == 1008
        finally:
            ws.close()


def _server_hub(server: ApiServer) -> RedisHub:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("events from outside the server need Redis (TEST_REDIS_URL)")
    return RedisHub(url, channel_for(normalize_database_url(server.database_url)))


def test_an_event_from_another_process_reaches_the_stream(
    http: httpx.Client, server: ApiServer
) -> None:
    """The hub is Redis: a post written and announced by this process (another worker, the CLI)
    reaches a stream served by the server's worker."""
    ann, bob = account(http, "ann"), account(http, "bob")
    follow(http, bob, ann)
    hub = _server_hub(server)
    ws = websocket.create_connection(ws_url(server, access_token=bob.token, stream="user"))
    try:
        with Session(server.engine) as db:
            row = Post(body="from elsewhere", body_html="<p>from elsewhere</p>", user_id=ann.id)
            db.add(row)
            db.commit()
            post_id = row.id
        hub.publish(
            LiveEvent(NEW_POST, author_id=ann.id, ref_id=post_id or 0, published=time.time())
        )
        frame = next_frame(ws, "update")
        assert json.loads(frame["payload"])["id"] == str(post_id)
    finally:
        ws.close()
