"""A Reflex tab spoken over the raw websocket protocol, as an attacker (or a broken client) would:
no browser, any tab token, any cookie, any event name and payload.

What a Reflex 0.10 frontend sends was read in reflex_base/.templates/web/utils/state.js and
EventNamespace.on_connect/on_event in reflex/app.py: Engine.IO 4 over a websocket to
`/_event/?EIO=4&transport=websocket&token=<tab token>`, the namespace connect carrying the
hydrate event, then `42/_event,["event", {...}]` per event. Every frame received is kept, so a
test can look for what must never reach this tab.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

NAMESPACE = "/_event"


def root_state_name() -> str:
    import reflex as rx

    return rx.State.get_full_name()


def event(name: str, path: str, payload: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "router_data": {"pathname": path, "asPath": path}}
    if payload is not None:
        found["payload"] = payload
    return found


class RawTab:
    """One tab: `await tab.open(path)`, `tab.send(name, payload)`, `await tab.settled()`;
    `tab.frames` holds every Socket.IO event frame received (as text)."""

    def __init__(
        self, host: str, port: int, *, origin: str, cookie: str = "", token: str = ""
    ) -> None:
        self.host, self.port, self.origin, self.cookie = host, port, origin, cookie
        self.token = token or str(uuid.uuid4())
        self.frames: list[str] = []
        self.closed = asyncio.Event()
        self._writer: asyncio.StreamWriter | None = None
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self._connected = asyncio.Event()
        self._path = "/"
        self._arrivals = asyncio.Condition()

    async def open(self, path: str, timeout: float = 20) -> None:
        """Connect and hydrate `path`; returns once the page's state has arrived."""
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import Request

        self._path = path
        reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._ws = WSConnection(ConnectionType.CLIENT)
        headers = [(b"origin", self.origin.encode()), (b"user-agent", b"tests.reflex_socket")]
        if self.cookie:
            headers.append((b"cookie", self.cookie.encode()))
        target = f"{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"
        request = Request(host=f"{self.host}:{self.port}", target=target, extra_headers=headers)
        self._writer.write(self._ws.send(request))
        self._reader = asyncio.create_task(self._read(reader))
        await self.wait_for('"is_hydrated_rx_state_":true', timeout)

    def send(self, name: str, payload: Any = None, path: str | None = None) -> None:
        self._send_text(
            f"42{NAMESPACE}," + json.dumps(["event", event(name, path or self._path, payload)])
        )

    def send_raw(self, text: str) -> None:
        """Any Socket.IO packet, however malformed."""
        self._send_text(text)

    async def wait_for(self, needle: str, timeout: float = 20, *, after: int = 0) -> str:
        """The first frame from index `after` on (received or still to come) holding `needle`."""

        def found() -> str | None:
            return next((f for f in self.frames[after:] if needle in f), None)

        async with self._arrivals:
            await asyncio.wait_for(
                self._arrivals.wait_for(lambda: found() is not None or self.closed.is_set()),
                timeout,
            )
        frame = found()
        if frame is None:
            raise ConnectionError(f"the socket closed before {needle!r} arrived")
        return frame

    async def settled(self, timeout: float = 30) -> None:
        """Every event sent before this has been processed. Reflex handles one tab's events in
        order, so the answer to two events sent now (hydrated off, then on) comes after theirs."""
        start = len(self.frames)
        name = f"{root_state_name()}.set_is_hydrated"
        self.send(name, {"value": False})
        self.send(name, {"value": True})
        await self.wait_for('"is_hydrated_rx_state_":true', timeout, after=start)

    def _send_text(self, text: str) -> None:
        from wsproto.events import Message

        if self._writer is not None and not self.closed.is_set():
            self._writer.write(self._ws.send(Message(data=text)))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        from wsproto.events import CloseConnection, Ping, RejectConnection, TextMessage

        partial: list[str] = []
        try:
            while data := await reader.read(65536):
                self._ws.receive_data(data)
                for item in self._ws.events():
                    if isinstance(item, TextMessage):
                        partial.append(item.data)
                        if item.message_finished:
                            await self._on_packet("".join(partial))
                            partial.clear()
                    elif isinstance(item, Ping):
                        assert self._writer is not None
                        self._writer.write(self._ws.send(item.response()))
                    elif isinstance(item, (CloseConnection, RejectConnection)):
                        return
        except (ConnectionError, OSError):
            pass
        finally:
            self.closed.set()
            async with self._arrivals:
                self._arrivals.notify_all()

    async def _on_packet(self, packet: str) -> None:
        if packet == "2":  # Engine.IO ping: answer, or the server drops us
            self._send_text("3")
            return
        if packet.startswith("0"):  # Engine.IO open: connect the namespace, hydrating inside
            hydrate = event(f"{root_state_name()}.hydrate_and_load", self._path)
            self._send_text(f"40{NAMESPACE}," + json.dumps({"event": hydrate}))
            return
        if packet.startswith(f"42{NAMESPACE},"):
            async with self._arrivals:
                self.frames.append(packet)
                self._arrivals.notify_all()

    async def close(self) -> None:
        if self._writer is not None and not self.closed.is_set():
            self._send_text(f"41{NAMESPACE},")
            self._writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._writer.wait_closed(), 2)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader


def session_cookie(engine: Any, user_id: int, name: str) -> str:
    """A `Cookie` header value signing a RawTab in as the user: a session made as the login
    form and /auth/session make it (a ticket, redeemed)."""
    from sqlmodel import Session

    from microblog.services import auth_sessions

    with Session(engine) as db:
        ticket = auth_sessions.issue_login_ticket(
            db, user_id=user_id, remember=False, next_path="/"
        )
        redeemed = auth_sessions.redeem_login_ticket(
            db, ticket=ticket, remember_days=1, default_hours=1
        )
        db.commit()
    assert redeemed is not None
    return f"{name}={redeemed[0]}"
