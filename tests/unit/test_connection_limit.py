"""One client address holds at most WS_CONNECTIONS_PER_ADDRESS websockets per worker
(web/connection_limit.py): the next is refused before the handshake, and a closed one frees
its place at once."""

from __future__ import annotations

import asyncio

import pytest

from microblog.web.connection_limit import ConnectionLimitMiddleware


class _Tabs:
    """An ASGI app holding each websocket open until the test lets it go."""

    def __init__(self) -> None:
        self.accepted = 0
        self.release = asyncio.Event()

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        self.accepted += 1
        await self.release.wait()


def _scope(address: str, path: str = "/_event/", forwarded: str = "") -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "websocket", "path": path, "client": (address, 5000), "headers": headers}


async def _connect(app: ConnectionLimitMiddleware, scope: dict) -> list[dict]:
    """What the app sent back before it accepted (a refusal is a close)."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    async def send(message: dict) -> None:
        sent.append(message)

    task = asyncio.create_task(app(scope, receive, send))
    await asyncio.sleep(0)  # let it run up to its wait (or its refusal)
    await asyncio.sleep(0)
    if task.done():
        await task
    return sent


@pytest.mark.anyio
async def test_an_address_over_the_limit_is_refused_until_one_closes() -> None:
    tabs = _Tabs()
    app = ConnectionLimitMiddleware(tabs, limit=2)
    assert await _connect(app, _scope("10.0.0.1")) == []
    assert await _connect(app, _scope("10.0.0.1")) == []
    refused = await _connect(app, _scope("10.0.0.1"))
    assert refused == [{"type": "websocket.close", "code": 1008}]
    assert tabs.accepted == 2
    # Another address is not affected, nor is plain HTTP or another websocket path.
    assert await _connect(app, _scope("10.0.0.2")) == []
    assert await _connect(app, _scope("10.0.0.1", path="/other")) == []
    assert tabs.accepted == 4

    tabs.release.set()  # every tab closes
    for _ in range(5):
        await asyncio.sleep(0)
    assert app.open == {}
    tabs.release.clear()
    assert await _connect(app, _scope("10.0.0.1")) == []


@pytest.mark.anyio
async def test_behind_trusted_proxies_the_client_address_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from microblog.config import get_settings

    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    get_settings.cache_clear()
    try:
        tabs = _Tabs()
        app = ConnectionLimitMiddleware(tabs, limit=1)
        proxy = "127.0.0.1"
        assert await _connect(app, _scope(proxy, forwarded="203.0.113.5")) == []
        assert await _connect(app, _scope(proxy, forwarded="203.0.113.6")) == []  # another
        assert await _connect(app, _scope(proxy, forwarded="203.0.113.5")) != []  # the same
        tabs.release.set()
    finally:
        get_settings.cache_clear()
