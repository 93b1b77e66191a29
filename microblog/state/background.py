"""Work that runs beside the app for as long as the backend does (Reflex lifespan tasks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any

import reflex as rx

from microblog.db import get_engine
from microblog.services.mail_outbox import deliver_forever


@asynccontextmanager
async def background_tasks(**named: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """Start each coroutine as a task named `microblog-<name>`; at shutdown cancel them all and
    wait for each to finish, so none is left writing to a closing database or hub."""
    tasks = [asyncio.create_task(coro, name=f"microblog-{name}") for name, coro in named.items()]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task


@asynccontextmanager
async def mail_outbox(app: rx.App) -> AsyncIterator[None]:
    """Lifespan task: send the queued emails at start-up, retry the failed ones when they come
    due (services/mail_outbox.py). Every commit that queues an email also kicks a drain."""
    async with background_tasks(mail_outbox=deliver_forever(get_engine)):
        yield
