"""The check every client event passes before its handler runs.

Anything can arrive over the websocket: a client may name any handler of any state with any
payload. Reflex hands the payload to the handler as keyword arguments as it is, so a wrong type
used to reach our code and raise there, and each such event wrote a traceback to the log (700
of them rotated it in seconds). Here an event for one of our handlers must carry exactly the
handler's parameters with their declared types, and no text longer than the largest field we
accept; otherwise it is dropped, and the log gets one line, at most `WARNINGS_PER_WINDOW` a
minute per process with a count of the rest. Reflex's own internal events are left to it, except
`setvar`: our pages never use it, and our vars have no setters it could call.

An upload handler's files (`list[rx.UploadFile]`) are objects only Reflex's upload endpoint
makes from a multipart request (web/upload_limit.py caps its size), at most `MAX_ITEMS` of
them; a websocket message, which is JSON, can never carry one, so its files are refused.
"""

from __future__ import annotations

import logging
import types
import typing
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from reflex.middleware import Middleware
from reflex.state import StateUpdate
from reflex_base.registry import RegistrationContext
from reflex_base.utils.form import transform_form_data
from reflex_components_core.core._upload import UploadFile

from microblog.logs import LineLimiter, log_limited

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.event import Event
    from reflex.state import BaseState

log = logging.getLogger(__name__)

# No form field of ours takes more; the websocket itself refuses messages over 64 KiB
# (REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE, rxconfig.py).
MAX_TEXT = 8192
MAX_FIELDS = 32
WARNINGS_PER_WINDOW = 10
WINDOW_SECONDS = 60.0

_SCALARS = (str, int, float, bool, type(None))
MAX_ITEMS = 16  # list arguments: picked files, refused files


def _text_ok(value: object) -> bool:
    return not isinstance(value, str) or len(value) <= MAX_TEXT


def _fits(value: object, annotation: Any) -> bool:
    """Whether `value` has the declared type (the few our handlers use)."""
    if annotation is Any:
        return isinstance(value, _SCALARS) and _text_ok(value)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(annotation))
    if annotation is type(None) or annotation is None:
        return value is None
    if annotation is dict or origin is dict:
        # A form: field names to scalars (or lists of them, for multi-valued fields). The
        # browser sends a form as its wrapped entries, which Reflex turns into this dict.
        try:
            value = transform_form_data(value, dict)
        except (TypeError, ValueError):
            return False
        return (
            isinstance(value, dict)
            and len(value) <= MAX_FIELDS
            and all(
                isinstance(k, str)
                and (
                    (isinstance(v, _SCALARS) and _text_ok(v))
                    or (isinstance(v, list) and all(isinstance(i, str) and _text_ok(i) for i in v))
                )
                for k, v in value.items()
            )
        )
    if origin is list:
        (item_type,) = typing.get_args(annotation) or (Any,)
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            return False
        if item_type is UploadFile:
            # Made by Reflex's upload endpoint from a multipart body, never from a websocket
            # message (whose JSON cannot hold an UploadFile).
            return all(isinstance(item, UploadFile) for item in value)
        if item_type is dict or typing.get_origin(item_type) is dict:
            return all(_small_json(item, depth=3) for item in value)
        return False
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        # Reflex reads a string of digits as the int it names.
        if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 20:
            return True
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str) and _text_ok(value)
    return False


def _small_json(value: object, *, depth: int) -> bool:
    """A JSON value of scalars, short texts, and lists and objects at most `depth` deep and
    MAX_FIELDS wide (what react-dropzone says of a refused file)."""
    if isinstance(value, _SCALARS):
        return _text_ok(value)
    if depth <= 0:
        return False
    if isinstance(value, list):
        return len(value) <= MAX_FIELDS and all(_small_json(v, depth=depth - 1) for v in value)
    if isinstance(value, dict):
        return len(value) <= MAX_FIELDS and all(
            isinstance(k, str) and _text_ok(k) and _small_json(v, depth=depth - 1)
            for k, v in value.items()
        )
    return False


@cache
def _signature(fn: Callable[..., Any]) -> tuple[dict[str, Any], frozenset[str]]:
    """(parameter -> annotation, the required parameters) of a handler."""
    import inspect

    hints = typing.get_type_hints(fn)
    params = list(inspect.signature(fn).parameters.values())[1:]  # without self
    declared = {p.name: hints.get(p.name, Any) for p in params}
    required = frozenset(p.name for p in params if p.default is inspect.Parameter.empty)
    return declared, required


def problem_with(name: str, payload: object) -> str | None:
    """Why this event must not reach its handler, or None."""
    registered = RegistrationContext.get().event_handlers.get(name)
    if registered is None:
        return "no such handler"
    state = registered.states[-1] if registered.states else None
    ours = state is not None and state.__module__.startswith("microblog.")
    handler = name.rsplit(".", 1)[-1]
    if not ours:
        return None
    if handler == "setvar":
        return "setvar is not used by this app"
    if not isinstance(payload, dict):
        return "the payload is not an object"
    declared, required = _signature(registered.handler.fn)
    if unknown := set(payload) - set(declared):
        return f"unknown arguments {sorted(unknown)[:5]}"
    if missing := required - set(payload):
        return f"missing arguments {sorted(missing)}"
    for key, value in payload.items():
        if not _fits(value, declared[key]):
            return f"argument {key!r} is not a valid {declared[key]}"
    return None


_refusals = LineLimiter(WARNINGS_PER_WINDOW, WINDOW_SECONDS)


def warn_bad_event(what: str, client: str) -> None:
    """One line for a client event we refused, rate-limited."""
    log_limited(
        log, _refusals, logging.WARNING, "Refused a client event from %s: %s", client, what[:300]
    )


class _UnknownHandlerFilter(logging.Filter):
    """Reflex logs an event naming no handler with a traceback before any middleware sees it;
    that is a client's doing, so it becomes one rate-limited line of ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, KeyError) and "No registered handler" in str(error):
            warn_bad_event("an event naming no handler", "a client")
            return False
        return True


def quiet_unknown_handlers() -> None:
    """Install the filter on the logger of Reflex's event queue (idempotent)."""
    queue_log = logging.getLogger("reflex_base.event.processor.event_processor")
    if not any(isinstance(f, _UnknownHandlerFilter) for f in queue_log.filters):
        queue_log.addFilter(_UnknownHandlerFilter())


class EventCheck(Middleware):
    """Drops events whose name or payload does not fit the handler (see the module docstring)."""

    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        problem = problem_with(event.name, event.payload)
        if problem is None:
            return None
        registered = RegistrationContext.get().event_handlers.get(event.name)
        where = registered.states[0].__name__ if registered and registered.states else "?"
        handler = event.name.rsplit(".", 1)[-1]
        warn_bad_event(f"{where}.{handler}: {problem}", state.router.session.client_ip)
        return StateUpdate()
