"""Mastodon's streaming API: live `update`, `delete`, `status.update` and `notification`
events, fed by the live-event hub the web pages use (microblog/live/hub.py: in-process, or
Redis across workers).

- `GET /api/v1/streaming` as a WebSocket: the token as `access_token`, in
  `Sec-WebSocket-Protocol` or as a bearer; streams from `stream` (and `tag`) in the address
  and/or `{"type": "subscribe"|"unsubscribe", "stream": ..., "tag": ...}` messages; frames
  `{"stream": [...], "event": ..., "payload": "<JSON>"}`.
- Server-sent events (what Mastodon.py reads): `/api/v1/streaming/user`,
  `/user/notification`, `/public`, `/public/local`, `/public/remote`, `/hashtag?tag=`,
  `/hashtag/local?tag=`; `/health` answers `OK`.

One `Connection` per client, whatever the transport: it subscribes to the hub, asks
stream_events.py what each event means for its reader (in a worker thread, with the web's
service functions and safety rules) and queues the frames; the transport sends them, with a
heartbeat (an SSE comment) every HEARTBEAT_SECONDS. A client that does not read is closed once
QUEUE_FRAMES frames wait for it, so it holds up nobody else. The stream ends when its token is
revoked (TOKENS_REVOKED), its account suspended (ACCOUNT_SUSPENDED) or, checked every
RECHECK_SECONDS, its token stopped working otherwise (expiry, a disabled account).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse, StreamingResponse

from microblog.client_address import client_address
from microblog.config import get_settings
from microblog.db import read
from microblog.live import events as ev
from microblog.live.hub import get_hub
from microblog.mastodon import stream_events as se
from microblog.mastodon.auth import Caller, bearer_token
from microblog.mastodon.auth import _lookup as lookup_token
from microblog.mastodon.errors import MastodonError
from microblog.services import oauth

log = logging.getLogger(__name__)

router = APIRouter(tags=["mastodon: streaming"])

HEARTBEAT_SECONDS = 20.0
RECHECK_SECONDS = 60.0
QUEUE_FRAMES = 200
MAX_CHANNELS = 50  # streams one WebSocket may subscribe to
INVALID_TOKEN = "Invalid access token"  # noqa: S105 (a message)
MISSING_TOKEN = "Missing access token"  # noqa: S105 (a message)
NO_SCOPE = "Access token does not have the required scopes"
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
        self._started = False

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
TOO_MANY = "Too many open streams from this address"


def _address(connection: Request | WebSocket) -> str:
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


# --- server-sent events ---


def _query_token(request: Request | WebSocket) -> str:
    return request.query_params.get("access_token", "").strip()


async def _sse(request: Request, name: str) -> StreamingResponse:
    address = _address(request)
    try:
        check_room(address)
        connection = await open_connection(bearer_token(request) or _query_token(request))
        connection.subscribe(se.channel(name, request.query_params.get("tag")))
    except se.Refused as refused:
        raise MastodonError(refused.status, refused.message) from None

    async def body() -> AsyncIterator[str]:
        with holding(address):
            async with connection.running():
                yield ":)\n"
                async for frame in connection.frames():
                    yield ":thump\n" if frame is None else frame.sse_text()

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(body(), media_type="text/event-stream", headers=headers)


@router.get("/api/v1/streaming/health")
def health() -> PlainTextResponse:
    return PlainTextResponse("OK")


@router.get("/api/v1/streaming/user")
async def user(request: Request) -> StreamingResponse:
    return await _sse(request, se.USER)


@router.get("/api/v1/streaming/user/notification")
async def user_notification(request: Request) -> StreamingResponse:
    return await _sse(request, se.NOTIFICATIONS)


@router.get("/api/v1/streaming/public")
async def public(request: Request) -> StreamingResponse:
    media = request.query_params.get("only_media", "").lower() in ("1", "true")
    return await _sse(request, "public:media" if media else "public")


@router.get("/api/v1/streaming/public/local")
async def public_local(request: Request) -> StreamingResponse:
    media = request.query_params.get("only_media", "").lower() in ("1", "true")
    return await _sse(request, "public:local:media" if media else "public:local")


@router.get("/api/v1/streaming/public/remote")
async def public_remote(request: Request) -> StreamingResponse:
    return await _sse(request, "public:remote")


@router.get("/api/v1/streaming/hashtag")
async def hashtag(request: Request) -> StreamingResponse:
    return await _sse(request, "hashtag")


@router.get("/api/v1/streaming/hashtag/local")
async def hashtag_local(request: Request) -> StreamingResponse:
    return await _sse(request, "hashtag:local")


# --- WebSocket ---


def _ws_token(websocket: WebSocket) -> tuple[str, str | None]:
    """The token, and the subprotocol to accept when the client sent it as one."""
    if token := _query_token(websocket):
        return token, None
    offered = websocket.headers.get("sec-websocket-protocol", "")
    if protocol := offered.split(",")[0].strip():
        return protocol, protocol
    scheme, _, value = websocket.headers.get("authorization", "").partition(" ")
    return (value.strip() if scheme.lower() == "bearer" else ""), None


async def _refuse_handshake(websocket: WebSocket, refused: se.Refused) -> None:
    """Mastodon answers the upgrade with the HTTP error; a server that cannot send one (no
    `websocket.http.response` extension) closes with 1008, which clients see as 403."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        from fastapi.responses import JSONResponse

        answer = JSONResponse({"error": refused.message}, status_code=refused.status)
        await websocket.send_denial_response(answer)
    else:
        await websocket.close(code=ENDED_TOKEN, reason=refused.message)


def _message_channel(message: dict[str, object]) -> se.Channel:
    stream = message.get("stream")
    tag = message.get("tag")
    if not isinstance(stream, str):
        raise se.Refused(400, "Unknown stream type")
    return se.channel(stream, tag if isinstance(tag, str) else None)


async def _read_messages(websocket: WebSocket, connection: Connection) -> None:
    """Subscriptions and unsubscriptions from the client; a bad one is answered with
    Mastodon's `{"error", "status"}` and changes nothing."""
    while True:
        raw = await websocket.receive_text()
        try:
            message = json.loads(raw)
            if not isinstance(message, dict) or message.get("type") not in (
                "subscribe",
                "unsubscribe",
            ):
                raise se.Refused(400, "Unknown message type")
            target = _message_channel(message)
            if message["type"] == "subscribe":
                connection.subscribe(target)
            else:
                connection.unsubscribe(target)
        except ValueError:
            await websocket.send_text(json.dumps({"error": "Invalid JSON", "status": 400}))
        except se.Refused as refused:
            answer = {"error": refused.message, "status": refused.status}
            await websocket.send_text(json.dumps(answer))


@router.websocket("/api/v1/streaming")
async def websocket_stream(websocket: WebSocket) -> None:
    token, subprotocol = _ws_token(websocket)
    address = _address(websocket)
    try:
        check_room(address)
        connection = await open_connection(token)
        if name := websocket.query_params.get("stream"):
            connection.subscribe(se.channel(name, websocket.query_params.get("tag")))
    except se.Refused as refused:
        await _refuse_handshake(websocket, refused)
        return
    with holding(address):
        await _serve_websocket(websocket, connection, subprotocol)


async def _serve_websocket(
    websocket: WebSocket, connection: Connection, subprotocol: str | None
) -> None:
    async with connection.running():
        await websocket.accept(subprotocol=subprotocol)
        reader = asyncio.create_task(_read_messages(websocket, connection))
        reader.add_done_callback(lambda _: connection.end(1000))
        try:
            async for frame in connection.frames():
                if frame is not None:  # ASGI has no ping frame to send for a heartbeat
                    await websocket.send_text(frame.websocket_text())
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await reader
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.close(code=connection.close_code)
