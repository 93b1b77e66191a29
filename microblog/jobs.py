"""Work that runs beside the app for as long as the backend does: the lifespan tasks the
composition root registers (`app.register_lifespan_task`), each a loop that survives its own
failures. The live events' delivery is the live layer's (`state/delivery.py`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any

from microblog.config import get_settings
from microblog.db import get_engine, session_scope
from microblog.services import exports, idempotency, link_cards, oauth
from microblog.services.mail_outbox import deliver_forever
from microblog.services.media import attachments as media
from microblog.services.search.outbox import apply_forever
from microblog.services.tasks import get_runner

log = logging.getLogger(__name__)


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
async def mail_outbox() -> AsyncIterator[None]:
    """Lifespan task: send the queued emails at start-up, retry the failed ones when they come
    due (services/mail_outbox.py). Every commit that queues an email also kicks a drain."""
    async with background_tasks(mail_outbox=deliver_forever(get_engine)):
        yield


@asynccontextmanager
async def search_outbox() -> AsyncIterator[None]:
    """Lifespan task: apply pending Elasticsearch changes at start-up and after outages."""
    async with background_tasks(search_outbox=apply_forever(get_engine)):
        yield


# -- post exports ------------------------------------------------------------------------------

SWEEP_EVERY_SECONDS = 60.0
EXPIRE_EVERY_SECONDS = 3600.0


def _sweep(*, at_start: bool) -> None:
    """Fail orphaned tasks; with one worker, at start-up every active row is an orphan."""
    runner = get_runner()
    grace = timedelta(0) if at_start and not runner.leases.shared else exports.ORPHAN_GRACE
    try:
        with session_scope() as db:
            failed = exports.fail_orphaned_tasks(db, alive=runner.leases.alive, grace=grace)
    except Exception:  # e.g. Redis down: nobody can tell who is alive, so fail nothing
        log.exception("Could not check for orphaned tasks")
        return
    if failed:
        log.warning("Marked %d orphaned task(s) as interrupted: %s", len(failed), failed)


def _expire() -> None:
    keep = timedelta(days=get_settings().export_keep_days)
    with session_scope() as db:
        exports.expire_export_files(db, older_than=datetime.now(UTC) - keep)


async def _housekeeping() -> None:
    await asyncio.to_thread(_sweep, at_start=True)
    since_expiry = EXPIRE_EVERY_SECONDS
    while True:
        try:
            if since_expiry >= EXPIRE_EVERY_SECONDS:
                await asyncio.to_thread(_expire)
                since_expiry = 0.0
        except Exception:
            log.exception("Could not expire old export files")
        await asyncio.sleep(SWEEP_EVERY_SECONDS)
        since_expiry += SWEEP_EVERY_SECONDS
        await asyncio.to_thread(_sweep, at_start=False)


@asynccontextmanager
async def export_tasks() -> AsyncIterator[None]:
    """Lifespan task: fail what a previous run left running, keep sweeping, and at shutdown let
    running exports stop at their next batch (marked interrupted, so Retry is offered)."""
    try:
        async with background_tasks(export_housekeeping=_housekeeping()):
            yield
    finally:
        await asyncio.to_thread(get_runner().stop)


# -- pictures never attached to a post ---------------------------------------------------------

MEDIA_SWEEP_SECONDS = 3600.0


def sweep_orphaned_media() -> int:
    """Delete the uploads older than MEDIA_ORPHAN_HOURS that no post took (a draft abandoned,
    a tab closed), in batches; their files go once each batch commits. Returns how many."""
    cutoff = datetime.now(UTC) - timedelta(hours=get_settings().media_orphan_hours)
    total = 0
    while True:
        with session_scope() as db:
            deleted = media.delete_orphaned_media(db, older_than=cutoff)
        total += deleted
        if deleted < media.ORPHAN_BATCH:
            return total


def sweep_idempotency_keys() -> int:
    """Forget the Mastodon clients' Idempotency-Keys older than the hour
    (services/idempotency.py); how many."""
    with session_scope() as db:
        return idempotency.delete_expired_keys(db)


def sweep_unused_oauth_apps() -> int:
    """Delete the Mastodon client apps registered over a day ago that nobody authorised
    (services/oauth.py), in batches; how many."""
    total = 0
    while True:
        with session_scope() as db:
            deleted = oauth.delete_unused_apps(db)
        total += deleted
        if deleted < oauth.UNUSED_APP_BATCH:
            return total


def sweep_unused_link_cards() -> int:
    """Delete the link cards no post uses any more (services/link_cards.py); how many."""
    with session_scope() as db:
        return link_cards.delete_unused_link_cards(db)


async def _media_housekeeping() -> None:
    while True:
        try:
            if deleted := await asyncio.to_thread(sweep_orphaned_media):
                log.info("Deleted %d picture(s) never attached to a post", deleted)
        except Exception:
            log.exception("Could not delete orphaned pictures")
        try:
            if deleted := await asyncio.to_thread(sweep_unused_link_cards):
                log.info("Deleted %d link card(s) no post uses", deleted)
        except Exception:
            log.exception("Could not delete unused link cards")
        try:
            await asyncio.to_thread(sweep_idempotency_keys)
        except Exception:
            log.exception("Could not delete old Idempotency-Keys")
        try:
            if deleted := await asyncio.to_thread(sweep_unused_oauth_apps):
                log.info("Deleted %d app(s) registered a day ago and never authorised", deleted)
        except Exception:
            log.exception("Could not delete unused apps")
        await asyncio.sleep(MEDIA_SWEEP_SECONDS)


@asynccontextmanager
async def media_orphans() -> AsyncIterator[None]:
    """Lifespan task: every hour, delete uploads never attached to a post, link cards no
    post uses, the Mastodon API's expired Idempotency-Keys and the apps nobody authorised."""
    async with background_tasks(media_orphans=_media_housekeeping()):
        yield
