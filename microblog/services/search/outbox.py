"""The outbox worker: applies pending Elasticsearch changes at start-up and whenever some are
left behind (Elasticsearch was down, a worker stopped mid-way), with backoff while it fails.

Most changes never wait for it: each commit kicks a drain at once (elasticsearch.py). This loop
is the safety net, run as a lifespan task of each backend worker; it does nothing with the
built-in engine, whose index is written in the post's transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.engine import Engine

from microblog.services.search import external_engine
from microblog.services.search.interface import SearchUnavailable

log = logging.getLogger(__name__)

POLL_SECONDS = 10.0
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


async def apply_forever(
    database: Callable[[], Engine],
    *,
    poll: float = POLL_SECONDS,
    first_retry: float = FIRST_RETRY_SECONDS,
    max_retry: float = MAX_RETRY_SECONDS,
) -> None:
    """Drain the outbox now, then every `poll` seconds; after a failure wait `first_retry`,
    doubling up to `max_retry`. The drain runs in a thread (it does network and database I/O)."""
    engine = external_engine()
    drain = getattr(engine, "drain", None)
    if drain is None:
        return
    retry = first_retry
    while True:
        try:
            applied = await asyncio.to_thread(drain, database())
            if applied:
                log.info("Search outbox: applied %d pending change(s)", applied)
            retry = first_retry
            await asyncio.sleep(poll)
        except asyncio.CancelledError:
            raise
        except SearchUnavailable:
            log.warning("Search outbox: Elasticsearch unavailable; retrying in %.0f s", retry)
            await asyncio.sleep(retry)
            retry = min(retry * 2, max_retry)
        except Exception:
            log.exception("Search outbox: drain failed; retrying in %.0f s", retry)
            await asyncio.sleep(retry)
            retry = min(retry * 2, max_retry)
