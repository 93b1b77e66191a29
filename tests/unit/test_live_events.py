"""Live events: what the services publish and when (only after the commit, nothing on rollback),
the event's wire format, and the two hubs (in-process across threads; Redis across workers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import microblog.services.follows as follows_service
from microblog.config import get_settings
from microblog.db import session_scope
from microblog.live import hub as hub_module
from microblog.live.events import (
    ANNOUNCEMENT,
    INBOX,
    MESSAGES,
    NEW_POST,
    LiveEvent,
    publish_after_commit,
)
from microblog.live.hub import InProcessHub, RedisHub, get_hub, set_hub
from microblog.models import Post, User
from microblog.services.announcements import post_announcement
from microblog.services.conversations import read_conversation
from microblog.services.follows import follow
from microblog.services.messages import send_message
from microblog.services.notifications import mark_all_read
from microblog.services.posts import create_post
from tests.recording_hub import RecordingHub

AddUser = Callable[..., User]

TIMEOUT = 5.0  # seconds: the most any wait below may take before the test fails
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set")


@pytest.fixture
def set_admins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    def _set(value: str) -> None:
        monkeypatch.setenv("ADMINS", value)
        get_settings.cache_clear()

    yield _set
    get_settings.cache_clear()


# -- what the services publish, and when ------------------------------------------------------


def test_create_post_publishes_new_post_after_commit(
    engine: Engine, session: Session, add_user: AddUser, hub: RecordingHub
) -> None:
    john = add_user(session, "john")
    session.commit()
    seen_at_publish: list[str | None] = []

    def look(event: LiveEvent) -> None:
        # A receiver re-reads at once from its own connection: the row must be there.
        with Session(engine) as other:
            post = other.get(Post, event.ref_id)
            seen_at_publish.append(post.body if post else None)

    hub.on_publish.append(look)
    post = create_post(session, author_id=john.id, body="hello live")
    assert hub.events == []  # flushed, not committed: nothing announced yet
    session.commit()
    assert hub.events == [LiveEvent(NEW_POST, author_id=john.id, ref_id=post.id)]
    assert hub.events[0].user_ids == ()  # explore is everyone's
    assert seen_at_publish == ["hello live"]
    session.commit()  # a later commit does not repeat it
    assert len(hub.events) == 1


def test_follow_publishes_inbox_for_the_followed_user(
    session: Session, add_user: AddUser, hub: RecordingHub
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    follow(session, follower_id=john.id, followed_id=susan.id)
    assert hub.events == []
    session.commit()
    assert hub.events == [LiveEvent(INBOX, user_ids=(susan.id,))]
    assert hub.events[0].concerns(susan.id)
    assert not hub.events[0].concerns(john.id)

    assert follow(session, follower_id=john.id, followed_id=susan.id) is False
    session.commit()
    assert len(hub.events) == 1  # following twice announces nothing new


def test_messages_publish_inbox_for_recipient_then_reader(
    session: Session, add_user: AddUser, hub: RecordingHub
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    sent = send_message(session, sender_id=john.id, recipient_username="susan", body="hi")
    assert hub.events == []
    session.commit()
    # Both sides' conversation pages and lists, then the recipient's badge.
    assert hub.events == [
        LiveEvent(MESSAGES, user_ids=(john.id, susan.id), author_id=john.id, ref_id=sent.id),
        LiveEvent(INBOX, user_ids=(susan.id,)),
    ]

    read_conversation(session, user_id=susan.id, other_username="john", per_page=10)
    session.commit()
    # Her other tabs update their badges (and lists) too.
    assert hub.events[2:] == [
        LiveEvent(INBOX, user_ids=(susan.id,)),
        LiveEvent(MESSAGES, user_ids=(susan.id,)),
    ]

    read_conversation(session, user_id=susan.id, other_username="john", per_page=10)
    session.commit()  # nothing new to mark
    assert len(hub.events) == 4


def test_mark_all_read_publishes_only_when_the_marker_moves(
    session: Session, add_user: AddUser, hub: RecordingHub
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    mark_all_read(session, user_id=susan.id)  # nothing to read
    session.commit()
    assert hub.events == []
    follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    hub.events.clear()
    mark_all_read(session, user_id=susan.id)
    assert hub.events == []
    session.commit()
    assert hub.events == [LiveEvent(INBOX, user_ids=(susan.id,))]


def test_announcement_publishes_one_event_for_everyone(
    session: Session,
    add_user: AddUser,
    hub: RecordingHub,
    set_admins: Callable[[str], None],
) -> None:
    set_admins("boss@example.com")
    boss = add_user(session, "boss")
    others = [add_user(session, f"user{i}") for i in range(3)]
    session.commit()
    announcement = post_announcement(session, author_id=boss.id, body="Hello everyone")
    assert hub.events == []
    session.commit()
    assert hub.events == [LiveEvent(ANNOUNCEMENT, ref_id=announcement.id)]
    event = hub.events[0]
    assert event.user_ids == ()
    assert all(event.concerns(u.id) for u in [boss, *others])


def test_rollback_publishes_nothing(session: Session, add_user: AddUser, hub: RecordingHub) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    # follow() first: its SAVEPOINT would publish whatever was queued before it (see below).
    follow(session, follower_id=susan.id, followed_id=john.id)
    post = create_post(session, author_id=john.id, body="never mind")
    send_message(session, sender_id=john.id, recipient_username="susan", body="oops")
    post_id = post.id
    session.rollback()
    assert hub.events == []
    assert session.get(Post, post_id) is None
    # The dropped events do not leak into the next transaction's commit.
    session.commit()
    assert hub.events == []
    create_post(session, author_id=john.id, body="this one counts")
    session.commit()
    assert hub.kinds() == [NEW_POST]


def test_session_scope_publishes_on_success_only(
    engine: Engine, add_user: AddUser, hub: RecordingHub
) -> None:
    with session_scope(engine) as db:
        john = add_user(db, "john")
        susan = add_user(db, "susan")
    assert hub.events == []  # creating users announces nothing

    class Boom(Exception):
        pass

    with pytest.raises(Boom), session_scope(engine) as db:
        follow(db, follower_id=john.id, followed_id=susan.id)
        create_post(db, author_id=john.id, body="lost")
        raise Boom
    assert hub.events == []
    with session_scope(engine) as db:
        assert db.exec(select(Post)).all() == []

    with session_scope(engine) as db:
        post = create_post(db, author_id=john.id, body="kept")
        assert hub.events == []
    assert hub.events == [LiveEvent(NEW_POST, author_id=john.id, ref_id=post.id)]


def test_manual_publish_after_commit_is_queued_per_session(
    engine: Engine, hub: RecordingHub
) -> None:
    event = LiveEvent(INBOX, user_ids=(7,))
    with Session(engine) as first, Session(engine) as second:
        publish_after_commit(first, event)
        second.commit()  # another session's commit does not carry it
        assert hub.events == []
        first.commit()
    assert hub.events == [event]


# SQLAlchemy fires `after_commit` and rollback hooks for a SAVEPOINT (`session.begin_nested()`)
# too, and follow() and register_user() use one: only the outermost commit may publish.


def test_savepoint_release_does_not_publish_early(
    session: Session, add_user: AddUser, hub: RecordingHub
) -> None:
    """A post queued before a follow() in the same unit of work must wait for the commit."""
    john, susan = add_user(session, "john"), add_user(session, "susan")
    session.commit()
    create_post(session, author_id=john.id, body="not committed yet")
    follow(session, follower_id=john.id, followed_id=susan.id)  # begin_nested() inside
    early = list(hub.events)
    session.rollback()
    assert early == []
    assert hub.events == []


def test_savepoint_rollback_keeps_events_of_the_outer_transaction(
    session: Session, add_user: AddUser, hub: RecordingHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """follow()'s 'a concurrent click got there first' path rolls back only its savepoint; the
    message sent earlier in the same transaction is committed and must still be announced."""
    john, susan = add_user(session, "john"), add_user(session, "susan")
    follow(session, follower_id=john.id, followed_id=susan.id)
    session.commit()
    hub.events.clear()

    sent = send_message(session, sender_id=john.id, recipient_username="susan", body="hi")
    # The race: the existence check misses the row a concurrent click just inserted.
    monkeypatch.setattr(follows_service, "is_following", lambda *a, **k: False)
    assert follow(session, follower_id=john.id, followed_id=susan.id) is False
    session.commit()
    assert hub.events == [
        LiveEvent(MESSAGES, user_ids=(john.id, susan.id), author_id=john.id, ref_id=sent.id),
        LiveEvent(INBOX, user_ids=(susan.id,)),
    ]


# -- the event itself -------------------------------------------------------------------------


def test_live_event_json_round_trip() -> None:
    event = LiveEvent(NEW_POST, user_ids=(3, 1, 2), author_id=5, ref_id=42, extra={"a": "b"})
    raw = event.to_json()
    back = LiveEvent.from_json(raw)
    assert back == event
    assert back.extra == {"a": "b"}  # `extra` is not part of equality: check it on its own
    assert isinstance(back.user_ids, tuple)
    assert LiveEvent.from_json(raw.encode()) == event  # Redis delivers bytes
    bare = LiveEvent(INBOX)
    assert LiveEvent.from_json(bare.to_json()) == bare
    assert (bare.user_ids, bare.author_id, bare.ref_id, bare.extra) == ((), 0, 0, {})


def test_live_event_concerns() -> None:
    assert LiveEvent(ANNOUNCEMENT).concerns(123)  # no user ids: everyone
    targeted = LiveEvent(INBOX, user_ids=(1, 2))
    assert targeted.concerns(1) and targeted.concerns(2)
    assert not targeted.concerns(3)


# -- InProcessHub -----------------------------------------------------------------------------


def test_in_process_hub_delivers_a_publish_from_another_thread() -> None:
    hub = InProcessHub()
    events = [LiveEvent(INBOX, user_ids=(1,)), LiveEvent(NEW_POST, author_id=2, ref_id=9)]

    async def scenario() -> list[LiveEvent]:
        async with hub.subscribe() as stream:
            publisher = threading.Thread(target=lambda: [hub.publish(e) for e in events])
            publisher.start()
            await asyncio.to_thread(publisher.join, TIMEOUT)
            return [await asyncio.wait_for(anext(stream), TIMEOUT) for _ in events]

    assert asyncio.run(scenario()) == events


def test_in_process_hub_fans_out_to_every_subscriber_on_their_own_loops() -> None:
    hub = InProcessHub()
    event = LiveEvent(ANNOUNCEMENT, ref_id=1)
    subscribed = threading.Barrier(3, timeout=TIMEOUT)
    received: dict[str, LiveEvent] = {}

    def subscriber(name: str) -> None:
        async def run() -> None:
            async with hub.subscribe() as stream:
                await asyncio.to_thread(subscribed.wait)
                received[name] = await asyncio.wait_for(anext(stream), TIMEOUT)

        asyncio.run(run())

    threads = [threading.Thread(target=subscriber, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    subscribed.wait()  # both are subscribed
    hub.publish(event)
    for thread in threads:
        thread.join(TIMEOUT)
    assert received == {"a": event, "b": event}
    assert hub._subscribers == []


def test_in_process_subscriber_is_removed_when_its_context_exits() -> None:
    hub = InProcessHub()

    async def scenario() -> None:
        async with hub.subscribe():
            assert len(hub._subscribers) == 1
        assert hub._subscribers == []
        with contextlib.suppress(RuntimeError):
            async with hub.subscribe():
                raise RuntimeError("the tab went away")
        assert hub._subscribers == []

    asyncio.run(scenario())
    hub.publish(LiveEvent(INBOX, user_ids=(1,)))  # nobody listening: a no-op, not an error


def test_in_process_hub_drops_a_subscriber_whose_loop_closed() -> None:
    hub = InProcessHub()
    loop = asyncio.new_event_loop()
    context = hub.subscribe()
    loop.run_until_complete(context.__aenter__())
    assert len(hub._subscribers) == 1
    loop.close()  # a worker's loop went away without leaving the context
    try:
        hub.publish(LiveEvent(INBOX, user_ids=(1,)))  # must not raise
        assert hub._subscribers == []
    finally:
        asyncio.run(context.__aexit__(None, None, None))


def test_get_hub_is_built_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    set_hub(None)
    try:
        monkeypatch.delenv("REDIS_URL", raising=False)
        get_settings.cache_clear()
        first = get_hub()
        assert isinstance(first, InProcessHub)
        assert get_hub() is first  # one per process

        set_hub(None)
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # built, never connected here
        get_settings.cache_clear()
        assert isinstance(get_hub(), RedisHub)
    finally:
        set_hub(None)
        get_settings.cache_clear()


# -- RedisHub against a real Redis ------------------------------------------------------------


@pytest.fixture
def channel() -> str:
    """A channel of this test's own: pub/sub ignores Redis database numbers."""
    return f"microblog:test:{uuid.uuid4().hex}"


async def _wait_for_subscribers(channel: str, count: int) -> None:
    """Until Redis reports `count` subscribers on `channel` (SUBSCRIBE is asynchronous)."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL)
    try:

        async def poll() -> None:
            while True:
                [(_, subscribers)] = await client.pubsub_numsub(channel)
                if subscribers == count:
                    return
                await asyncio.sleep(0.01)

        await asyncio.wait_for(poll(), TIMEOUT)
    finally:
        await client.aclose()


async def _next(stream: AsyncIterator[LiveEvent]) -> LiveEvent:
    return await asyncio.wait_for(anext(stream), TIMEOUT)


def _publish_raw(channel: str, *payloads: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        for payload in payloads:
            client.publish(channel, payload)
    finally:
        client.close()


@needs_redis
def test_redis_hub_reaches_every_worker(channel: str) -> None:
    worker_a, worker_b = RedisHub(REDIS_URL, channel), RedisHub(REDIS_URL, channel)
    publisher = RedisHub(REDIS_URL, channel)  # say, the CLI or a third worker
    events = [LiveEvent(INBOX, user_ids=(4, 5)), LiveEvent(NEW_POST, author_id=1, ref_id=77)]

    async def scenario() -> tuple[list[LiveEvent], list[LiveEvent]]:
        async with worker_a.subscribe() as a, worker_b.subscribe() as b:
            await _wait_for_subscribers(channel, 2)
            for event in events:  # the sync publish, from a worker thread like after_commit
                await asyncio.to_thread(publisher.publish, event)
            got_a = [await _next(a) for _ in events]
            got_b = [await _next(b) for _ in events]
        await _wait_for_subscribers(channel, 0)  # both unsubscribed on leaving
        return got_a, got_b

    got_a, got_b = asyncio.run(scenario())
    assert got_a == events
    assert got_b == events


@needs_redis
def test_redis_hub_ignores_malformed_messages(
    channel: str, caplog: pytest.LogCaptureFixture
) -> None:
    hub = RedisHub(REDIS_URL, channel)
    valid = LiveEvent(ANNOUNCEMENT, ref_id=3)
    malformed = [
        "not json at all",
        '{"kind": "inbox", "unexpected": 1}',
        '{"user_ids": [1]}',
        '{"kind": "inbox", "user_ids": ["x"]}',
        '{"kind": "inbox", "user_ids": 5}',
    ]

    async def scenario() -> LiveEvent:
        async with hub.subscribe() as stream:
            await _wait_for_subscribers(channel, 1)
            await asyncio.to_thread(_publish_raw, channel, *malformed)
            hub.publish(valid)
            return await _next(stream)

    with caplog.at_level(logging.WARNING, logger=hub_module.__name__):
        assert asyncio.run(scenario()) == valid
    ignored = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(ignored) == len(malformed)


@needs_redis
@pytest.mark.parametrize("payload", ["[1, 2]", "42", "null", '"inbox"'])
def test_redis_hub_ignores_json_that_is_not_an_object(channel: str, payload: str) -> None:
    hub = RedisHub(REDIS_URL, channel)
    valid = LiveEvent(INBOX, user_ids=(1,))

    async def scenario() -> LiveEvent:
        async with hub.subscribe() as stream:
            await _wait_for_subscribers(channel, 1)
            await asyncio.to_thread(_publish_raw, channel, payload)
            hub.publish(valid)
            return await _next(stream)

    assert asyncio.run(scenario()) == valid


@needs_redis
def test_committed_work_reaches_a_redis_subscriber(
    session: Session, add_user: AddUser, channel: str
) -> None:
    """End to end: a service commits in a worker thread, a subscriber on the loop receives."""
    john = add_user(session, "john")
    session.commit()
    set_hub(RedisHub(REDIS_URL, channel))
    try:

        def work() -> int:
            post = create_post(session, author_id=john.id, body="over redis")
            session.commit()
            return post.id

        async def scenario() -> tuple[int, LiveEvent]:
            async with RedisHub(REDIS_URL, channel).subscribe() as stream:
                await _wait_for_subscribers(channel, 1)
                post_id = await asyncio.to_thread(work)
                return post_id, await _next(stream)

        post_id, received = asyncio.run(scenario())
    finally:
        set_hub(None)
    assert received == LiveEvent(NEW_POST, author_id=john.id, ref_id=post_id)


def test_redis_publish_while_unreachable_logs_and_does_not_raise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = RedisHub("redis://127.0.0.1:1/0", "microblog:test:unreachable")
    with caplog.at_level(logging.ERROR, logger=hub_module.__name__):
        hub.publish(LiveEvent(INBOX, user_ids=(1,)))
    failures = [r for r in caplog.records if "Could not publish" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].exc_info is not None  # the cause is in the log
    assert INBOX in failures[0].getMessage()
