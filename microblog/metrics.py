"""Prometheus metrics: what the operator's dashboards and alerts read from `GET /metrics`.

The instruments are defined here, once per process; the code that measures imports them:

- `REQUEST_SECONDS`: each HTTP request by method, route template (`/api/posts/{post_id}`, never
  the raw path, so the label set stays small) and status (microblog/web/metrics.py);
- `EVENT_SECONDS`: each Reflex event by handler (`FeedState.load_home`), from the moment the
  event's task starts until its delta has been sent (microblog/state/event_timing.py);
- `WEBSOCKETS`: the websocket connections open now (microblog/web/metrics.py);
- `DELIVERY_SECONDS`: a live event's age when a tab has it, from the commit that published it
  to the tab's state being updated and sent, by event kind (microblog/state/delivery.py);
- the search outbox's depth and the export tasks waiting and running, read when scraped (one
  indexed query each, never per request: `QueueDepths`).

Several worker processes: without `PROMETHEUS_MULTIPROC_DIR` each process counts for itself,
which is right for one worker. With several, the workers share one listening socket, so a
scrape reaches whichever worker accepts it and would see that worker alone; with
`PROMETHEUS_MULTIPROC_DIR` set (an empty folder, emptied before the server starts) every
worker writes its values there and any worker's `/metrics` answers for all of them
(prometheus_client's multiprocess mode). docs/operations.md says more.

No Reflex, no web framework here: the web side and the states call in.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from microblog.logs import LineLimiter, log_limited

log = logging.getLogger(__name__)
_failures = LineLimiter(5)

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds. Requests and events: a few ms to several seconds. Live delivery: the same range;
# anything over 10 s is a stuck hub or worker, which +Inf shows.
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Outboxes are small when healthy; counting a huge one would cost what it reports, so the count
# stops here (the gauge then reads this number: "at least").
OUTBOX_COUNT_CAP = 100_000

# No `_created` series beside every counter and histogram: nothing here reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

REQUEST_SECONDS = Histogram(
    "microblog_http_request_duration_seconds",
    "HTTP requests served by the backend, by method, route template and status.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
EVENT_SECONDS = Histogram(
    "microblog_event_duration_seconds",
    "Reflex events handled (websocket), by state and handler, delta sent included.",
    ["event"],
    buckets=LATENCY_BUCKETS,
)
WEBSOCKETS = Gauge(
    "microblog_websocket_connections",
    "Websocket connections open now (one per open tab).",
    multiprocess_mode="livesum",
)
DELIVERY_SECONDS = Histogram(
    "microblog_live_delivery_seconds",
    "Time from a live event's publication (its commit) to a tab's update, by event kind.",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)


def multiprocess_dir() -> str:
    """The folder shared by the worker processes, or "" (one process, its own values)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()


class QueueDepths(Collector):
    """Gauges read from the database when scraped: the search outbox's depth and the export
    tasks queued and running. Cheap queries on indexed columns, in the scraping thread; when
    the database does not answer, these gauges are left out of that scrape (and a line is
    logged) rather than failing the whole page."""

    def describe(self) -> list[Metric]:
        return []  # read only when collected: registering must not query the database

    def collect(self) -> Iterator[Metric]:
        from microblog.db import read
        from microblog.services.exports import count_export_tasks
        from microblog.services.search import count_outbox

        try:
            outbox = read(lambda db: count_outbox(db, cap=OUTBOX_COUNT_CAP))
            exports = read(count_export_tasks)
        except Exception as problem:
            log_limited(
                log, _failures, logging.WARNING, "Metrics: could not read the queues: %s", problem
            )
            return
        depth = GaugeMetricFamily(
            "microblog_search_outbox_depth",
            f"Post changes waiting for Elasticsearch (counted up to {OUTBOX_COUNT_CAP}).",
        )
        depth.add_metric([], outbox)
        yield depth
        tasks = GaugeMetricFamily(
            "microblog_export_tasks",
            "Post exports queued or running now.",
            labels=["status"],
        )
        for status, count in sorted(exports.items()):
            tasks.add_metric([status], count)
        yield tasks


_QUEUES = QueueDepths()
_PID_FILE = re.compile(r"_(\d+)\.db$")


def _forget_dead_processes(folder: str) -> None:
    """Drop the live gauges of workers that have exited (a worker killed or restarted by its
    manager): their open-connection counts are no longer open. Counters and histograms of dead
    workers stay, as totals should."""
    for path in Path(folder).glob("gauge_live*.db"):
        match = _PID_FILE.search(path.name)
        if match is None:
            continue
        pid = int(match.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, folder)  # type: ignore[no-untyped-call]
        except PermissionError:
            pass  # alive, someone else's


def render() -> bytes:
    """The exposition text for a scrape: this process's values, or every worker's in
    multiprocess mode, then the queue depths."""
    folder = multiprocess_dir()
    if folder:
        _forget_dead_processes(folder)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
        registry.register(_QUEUES)
        return generate_latest(registry)
    return generate_latest(REGISTRY) + generate_latest(_queues_registry())


_queues_only: CollectorRegistry | None = None


def _queues_registry() -> CollectorRegistry:
    global _queues_only
    if _queues_only is None:
        _queues_only = CollectorRegistry(auto_describe=False)
        _queues_only.register(_QUEUES)
    return _queues_only
