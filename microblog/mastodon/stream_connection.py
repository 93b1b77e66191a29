"""One client of the streaming API (streaming.py), whatever its transport: who reads, what they
subscribed to, the frames waiting for them, and how many streams each client address holds.

A `Connection` subscribes to the live-event hub (microblog/live/hub.py), asks stream_events.py
what each event means for its reader (in a worker thread, with the web's service functions and
safety rules) and queues the frames for the transport, which sends them with a heartbeat every
HEARTBEAT_SECONDS. A client that does not read is let go once QUEUE_FRAMES frames wait for it,
so it holds up nobody else. The stream ends when its token is revoked (TOKENS_REVOKED), its
account suspended (ACCOUNT_SUSPENDED) or, checked every RECHECK_SECONDS, its token stopped
working otherwise (expiry, a disabled account); or when its hub subscription is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator

from starlette.requests import HTTPConnection

from microblog.client_address import client_address
from microblog.config import get_settings
from microblog.db import read
from microblog.live import events as ev
from microblog.live.hub import get_hub
from microblog.mastodon import stream_events as se
from microblog.mastodon.auth import Caller, lookup_token
from microblog.services import oauth

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 20.0
RECHECK_SECONDS = 60.0
QUEUE_FRAMES = 200
MAX_CHANNELS = 50  # streams one WebSocket may subscribe to
INVALID_TOKEN = "Invalid access token"  # noqa: S105 (a message)
MISSING_TOKEN = "Missing access token"  # noqa: S105 (a message)
NO_SCOPE = "Access token does not have the required scopes"
TOO_MANY = "Too many open streams from this address"
# Why a stream ended, as the WebSocket close code says it (RFC 6455: 1008 policy, 1013 try
# again later, 1011 the server's trouble).
ENDED_TOKEN, ENDED_SLOW, ENDED_LOST = 1008, 1013, 1011


class Connection:
    """One client's streams: who reads, what they subscribed to, and the frames waiting."""

    def __init__(self, token: str, user_id: int, scopes: frozenset[str]) -> None:
        self.token = token
        self.scopes = scopes
        self.reader = se.Reader(viewer_id=user_id, channels=())
        self.queue: asyncio.Queue[se.Frame] = asyncio.Queue(QUEUE_FRAMES)
        self.ended = asyncio.Event()
        self.close_code = 1000

    def subscribe(self, channel: se.Channel) -> None:
        """Add a stream; Refused when the reader may not have it."""
        if channel.needs_user and not self.reader.viewer_id:
            raise se.Refused(401, MISSING_TOKEN)
        if self.reader.viewer_id and not oauth.grants(self.scopes, channel.scope):
            raise se.Refused(401, NO_SCOPE)
        if channel in self.reader.channels:
            return
        if len(self.reader.channels) >= MAX_CHANNELS:
            raise se.Refused(400, "Too many streams")
        self.reader.channels = (*self.reader.channels, channel)

    def unsubscribe(self, channel: se.Channel) -> None:
        self.reader.channels = tuple(c for c in self.reader.channels if c != channel)

    def end(self, code: int) -> None:
        if not self.ended.is_set():
            self.close_code = code
            self.ended.set()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Subscribed to the hub (before the client hears that its stream is open, so it misses
        nothing published after) until the block ends."""
        if self.reader.viewer_id:
            user_id = self.reader.viewer_id
            self.reader.last_notification = await asyncio.to_thread(
                read, lambda db: se.newest_notification_id(db, user_id=user_id)
            )
        subscribed = asyncio.Event()
        pump = asyncio.create_task(self._pump(subscribed))
        # Without its hub subscription (Redis went away) the stream would stay open and hear
        # nothing: end it, and the client reconnects.
        pump.add_done_callback(lambda _: self.end(ENDED_LOST))
        waiter = asyncio.create_task(subscribed.wait())
        await asyncio.wait({pump, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        try:
            if pump.done():
                pump.result()  # the hub is unreachable: raise it
            yield
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump

    async def _pump(self, subscribed: asyncio.Event) -> None:
        async with get_hub().subscribe() as hub_events:
            subscribed.set()
            async for event in hub_events:
                if self.ended.is_set():
                    return
                try:
                    await self._handle(event)
                except Exception:  # one bad event must not end the stream
                    log.exception("Streaming: could not map a %s event", event.kind)

    async def _handle(self, event: ev.LiveEvent) -> None:
        viewer = self.reader.viewer_id
        if event.kind == ev.ACCOUNT_SUSPENDED and viewer and event.author_id == viewer:
            self.end(ENDED_TOKEN)
            return
        if event.kind == ev.TOKENS_REVOKED and viewer and event.concerns(viewer):
            await self.recheck()
            return
        if not se.wants(event, viewer, self.reader.channels):
            return
        reader = self.reader
        frames = await asyncio.to_thread(read, lambda db: se.frames_for(db, event, reader))
        for frame in frames:
            try:
                self.queue.put_nowait(frame)
            except asyncio.QueueFull:  # the client does not read: let it go
                self.end(ENDED_SLOW)
                return

    async def recheck(self) -> None:
        """End the stream if its token no longer works (revoked, expired, account off)."""
        if not self.reader.viewer_id:
            return
        found = await asyncio.to_thread(lookup_token, self.token)
        if not isinstance(found, Caller) or found.user_id != self.reader.viewer_id:
            self.end(ENDED_TOKEN)

    async def frames(self) -> AsyncIterator[se.Frame | None]:
        """The frames to send, and None when a heartbeat is due; ends with the stream."""
        checked = time.monotonic()
        while not self.ended.is_set():
            getter = asyncio.ensure_future(self.queue.get())
            ender = asyncio.ensure_future(self.ended.wait())
            try:
                done, _ = await asyncio.wait(
                    {getter, ender}, timeout=HEARTBEAT_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
            finally:  # also when the client went away and this was cancelled
                ender.cancel()
                if not getter.done():
                    getter.cancel()
            if getter in done and not getter.cancelled():
                yield getter.result()
                continue
            if self.ended.is_set():
                return
            yield None
            if time.monotonic() - checked >= RECHECK_SECONDS:
                checked = time.monotonic()
                await self.recheck()


async def open_connection(token: str) -> Connection:
    """A connection for `token` (may be empty: public streams only); Refused for a token that
    does not work."""
    if not token:
        return Connection("", 0, frozenset())
    found = await asyncio.to_thread(lookup_token, token)
    if found is None:
        raise se.Refused(401, INVALID_TOKEN)
    if not isinstance(found, Caller):  # an app's own token: no user
        return Connection(token, 0, frozenset())
    return Connection(token, found.user_id, found.scopes)


# --- streams per client address ---

# Open streams (either transport) per client address on this worker: each holds a hub
# subscription (with Redis, a connection), so one address may hold no more than it may hold
# tabs (WS_CONNECTIONS_PER_ADDRESS).
_open: Counter[str] = Counter()


def client_of(connection: HTTPConnection) -> str:
    """The client's address (microblog/client_address.py: the peer, or the one trusted
    proxies name)."""
    peer = connection.client.host if connection.client else None
    return client_address(peer, connection.headers.getlist("x-forwarded-for"))


def check_room(address: str) -> None:
    """Refused (429) when `address` holds as many streams as it may."""
    if _open[address] >= get_settings().ws_connections_per_address:
        raise se.Refused(429, TOO_MANY)


@contextlib.contextmanager
def holding(address: str) -> Iterator[None]:
    """Count one open stream of `address` while the block runs."""
    _open[address] += 1
    try:
        yield
    finally:
        _open[address] -= 1
        if _open[address] <= 0:
            del _open[address]
