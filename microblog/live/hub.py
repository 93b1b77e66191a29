"""The live-event hub: one small interface, two engines chosen once from config.

- In-process (default): events go to the subscribers of this process. One backend worker, which
  is what Reflex runs without Redis.
- Redis (`REDIS_URL` set): events go through a Redis pub/sub channel to every backend worker, and
  to none twice; each worker delivers them to the tabs connected to it.

`publish` is synchronous and thread-safe because services run in worker threads (`run_db`) and
the after-commit hook fires there. Subscribers are async iterators on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from microblog.live.events import LiveEvent

log = logging.getLogger(__name__)


def channel_for(database_url: str) -> str:
    """Redis pub/sub channels ignore Redis database numbers: name the channel after our own
    database, so two sites (or a test run beside a dev server) sharing a Redis stay apart."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return f"microblog:live:{digest}"


class Hub(Protocol):
    def publish(self, event: LiveEvent) -> None: ...

    def subscribe(self) -> AbstractAsyncContextManager[AsyncIterator[LiveEvent]]: ...


class InProcessHub:
    """Fan-out to subscribers of this process, across threads, through their event loops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[LiveEvent]]] = []

    def publish(self, event: LiveEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for loop, queue in subscribers:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, event)
            except RuntimeError:  # that loop has closed; its subscriber is gone
                self._remove(queue)

    def _remove(self, queue: asyncio.Queue[LiveEvent]) -> None:
        with self._lock:
            self._subscribers = [(lp, q) for lp, q in self._subscribers if q is not queue]

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[LiveEvent]]:
        queue: asyncio.Queue[LiveEvent] = asyncio.Queue()
        with self._lock:
            self._subscribers.append((asyncio.get_running_loop(), queue))

        async def events() -> AsyncIterator[LiveEvent]:
            while True:
                yield await queue.get()

        try:
            yield events()
        finally:
            self._remove(queue)


class RedisHub:
    """Pub/sub over Redis, so an event published by any worker (or the CLI) reaches all."""

    def __init__(self, url: str, channel: str) -> None:
        import redis

        self._url = url
        self.channel = channel
        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def publish(self, event: LiveEvent) -> None:
        try:
            self._client.publish(self.channel, event.to_json())
        except Exception:  # a live update is a nicety; the data itself is committed
            log.exception("Could not publish a live event to Redis (%s)", event.kind)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[AsyncIterator[LiveEvent]]:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(self._url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)

        async def events() -> AsyncIterator[LiveEvent]:
            async for message in pubsub.listen():
                try:
                    yield LiveEvent.from_json(message["data"])
                except (ValueError, TypeError, KeyError, AttributeError):
                    log.warning("Ignoring a malformed live event: %r", message.get("data"))

        try:
            yield events()
        finally:
            await pubsub.unsubscribe(self.channel)
            await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis leaves it unannotated
            await client.aclose()


_hub: Hub | None = None
_hub_lock = threading.Lock()


def get_hub() -> Hub:
    """The process's hub, built from config on first use."""
    global _hub
    with _hub_lock:
        if _hub is None:
            from microblog.config import get_settings

            settings = get_settings()
            url = settings.redis_url
            _hub = RedisHub(url, channel_for(settings.database_url)) if url else InProcessHub()
        return _hub


def set_hub(hub: Hub | None) -> None:
    """Replace the hub (tests, or a reconfigured process); None rebuilds it from config."""
    global _hub
    with _hub_lock:
        _hub = hub
