"""One streaming connection (microblog/mastodon/stream_connection.py) on its own: a client that
does not read is let go once QUEUE_FRAMES frames wait for it, a quiet stream yields heartbeats,
the scopes decide which streams a token may open, the hub's events reach the queue, and one
address holds no more streams than it may."""

from __future__ import annotations

import asyncio

import pytest

from microblog.live import events as ev
from microblog.live.hub import InProcessHub, set_hub
from microblog.mastodon import stream_connection as streaming
from microblog.mastodon import stream_events as se

FRAME = se.Frame(("public",), "update", "{}")


def _connection(user_id: int = 0, scopes: tuple[str, ...] = ()) -> streaming.Connection:
    connection = streaming.Connection("token" if user_id else "", user_id, frozenset(scopes))
    connection.subscribe(se.channel("public"))
    return connection


@pytest.fixture
def no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streaming, "read", lambda work: work(None))


def test_a_client_that_does_not_read_is_let_go(
    no_database: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [FRAME] * (streaming.QUEUE_FRAMES + 1)
    monkeypatch.setattr(se, "frames_for", lambda db, event, reader: many)
    connection = _connection()
    asyncio.run(connection._handle(ev.LiveEvent(ev.NEW_POST, author_id=1, ref_id=1)))
    assert connection.ended.is_set() and connection.close_code == streaming.ENDED_SLOW
    assert connection.queue.qsize() == streaming.QUEUE_FRAMES


def test_a_quiet_stream_yields_heartbeats_and_ends_when_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(streaming, "HEARTBEAT_SECONDS", 0.01)

    async def run() -> list[se.Frame | None]:
        connection = _connection()
        seen: list[se.Frame | None] = []
        async for frame in connection.frames():
            seen.append(frame)
            if len(seen) == 2:
                connection.queue.put_nowait(FRAME)
            if len(seen) == 3:
                connection.end(1000)
        return seen

    assert asyncio.run(run()) == [None, None, FRAME]


def test_scopes_decide_the_streams() -> None:
    reader = streaming.Connection("t", 7, frozenset({"read:notifications"}))
    reader.subscribe(se.channel("user:notification"))
    for name in ("user", "public"):
        with pytest.raises(se.Refused) as refused:
            reader.subscribe(se.channel(name))
        assert refused.value.status == 401 and refused.value.message == streaming.NO_SCOPE
    everything = streaming.Connection("t", 7, frozenset({"read"}))
    everything.subscribe(se.channel("user"))
    everything.subscribe(se.channel("hashtag", "cats"))
    assert [c.name for c in everything.reader.channels] == ["user", "hashtag"]
    everything.unsubscribe(se.channel("user"))
    assert [c.name for c in everything.reader.channels] == ["hashtag"]
    with pytest.raises(se.Refused) as refused:
        streaming.Connection("", 0, frozenset()).subscribe(se.channel("user"))
    assert refused.value.message == streaming.MISSING_TOKEN


def test_hub_events_reach_the_queue_and_a_suspension_ends_the_stream(
    no_database: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(se, "frames_for", lambda db, event, reader: [FRAME])
    hub = InProcessHub()
    set_hub(hub)

    async def run() -> tuple[se.Frame, int]:
        connection = _connection(7, ("read",))
        async with connection.running():
            hub.publish(ev.LiveEvent(ev.NEW_POST, author_id=1, ref_id=1))
            got = await asyncio.wait_for(connection.queue.get(), 5)
            hub.publish(ev.LiveEvent(ev.ACCOUNT_SUSPENDED, author_id=7))
            await asyncio.wait_for(connection.ended.wait(), 5)
        return got, connection.close_code

    try:
        monkeypatch.setattr(se, "newest_notification_id", lambda db, user_id: 0)
        assert asyncio.run(run()) == (FRAME, streaming.ENDED_TOKEN)
    finally:
        set_hub(None)


def test_one_address_holds_no_more_streams_than_it_may(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    monkeypatch.setattr(
        streaming, "get_settings", lambda: SimpleNamespace(ws_connections_per_address=2)
    )
    with streaming.holding("192.0.2.1"), streaming.holding("192.0.2.1"):
        with pytest.raises(se.Refused) as refused:
            streaming.check_room("192.0.2.1")
        assert refused.value.status == 429
        streaming.check_room("192.0.2.2")  # another address has its own
    streaming.check_room("192.0.2.1")  # closed streams free their places
    assert "192.0.2.1" not in streaming._open
