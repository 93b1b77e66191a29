"""How long each Reflex event takes, for the metrics (`microblog_event_duration_seconds`), and
the event's id in every log line it writes (`request_id`, microblog/logs.py).

Reflex 0.10 gives a middleware a hook before each event (`preprocess`) and none after it (its
`postprocess` is no longer called). Each event runs in an asyncio task of its own, started for
it by Reflex's event processor, and `preprocess` runs inside that task with the state locked:
so the clock starts there and stops when the task is done, which is after the handler ran and
its delta was sent. Installed first, so the time of the other middlewares (the payload check,
the session guard's database read) counts too. A background event's task lasts as long as the
job: its time is the job's.

The label is the state and the handler (`FeedState.load_home`). Only registered handlers
reach a middleware (Reflex drops any other name first), so a client cannot invent labels.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from reflex.middleware import Middleware
from reflex_base.registry import RegistrationContext

from microblog import metrics
from microblog.logs import request_id

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.event import Event
    from reflex.state import BaseState, StateUpdate


def event_label(name: str) -> str:
    """`FeedState.load_home` for a full event name (`reflex___state____state.microblog___…`)."""
    handler = name.rsplit(".", 1)[-1]
    registered = RegistrationContext.get().event_handlers.get(name)
    if registered is None or not registered.states:
        return f"?.{handler}"
    return f"{registered.states[-1].__name__}.{handler}"


def event_id() -> str:
    """The id Reflex gives the event being handled (its transaction id), or ""."""
    from reflex_base.event.context import EventContext

    try:
        return str(EventContext.get().txid)
    except LookupError:
        return ""


class EventTiming(Middleware):
    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        # Set inside the event's own task, so it lasts for the rest of this event only.
        request_id.set(event_id())
        task = asyncio.current_task()
        if task is not None:
            histogram = metrics.EVENT_SECONDS.labels(event_label(event.name))
            started = time.perf_counter()
            task.add_done_callback(lambda _: histogram.observe(time.perf_counter() - started))
        return None
