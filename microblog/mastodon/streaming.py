"""Mastodon's streaming API: live `update`, `delete`, `status.update` and `notification`
events, fed by the live-event hub the web pages use (microblog/live/hub.py: in-process, or
Redis across workers). The transports; one client's streams are a `Connection`
(stream_connection.py), what an event means to it stream_events.py's.

- `GET /api/v1/streaming` as a WebSocket: the token as `access_token`, in
  `Sec-WebSocket-Protocol` or as a bearer; streams from `stream` (and `tag`) in the address
  and/or `{"type": "subscribe"|"unsubscribe", "stream": ..., "tag": ...}` messages; frames
  `{"stream": [...], "event": ..., "payload": "<JSON>"}`.
- Server-sent events (what Mastodon.py reads): `/api/v1/streaming/user`,
  `/user/notification`, `/public`, `/public/local`, `/public/remote`, `/hashtag?tag=`,
  `/hashtag/local?tag=`, with a `:thump` comment every HEARTBEAT_SECONDS; `/health` answers
  `OK`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse

from microblog.mastodon import stream_events as se
from microblog.mastodon.auth import bearer_token
from microblog.mastodon.errors import MastodonError
from microblog.mastodon.stream_connection import (
    ENDED_TOKEN,
    Connection,
    check_room,
    client_of,
    holding,
    open_connection,
)

router = APIRouter(tags=["mastodon: streaming"])

# --- server-sent events ---


def _query_token(request: Request | WebSocket) -> str:
    return request.query_params.get("access_token", "").strip()


async def _sse(request: Request, name: str) -> StreamingResponse:
    address = client_of(request)
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
    address = client_of(websocket)
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
