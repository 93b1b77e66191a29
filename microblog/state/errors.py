"""The app's exception handlers, given to `rx.App(backend_exception_handler=...,
frontend_exception_handler=...)` by the composition root.

An event handler that raises lands in `handle_backend_exception`: the error is logged and emailed
to ADMINS (throttled, see `microblog.logs`), and the user gets a toast instead of a traceback.

The database needs nothing from us here. Every state reaches the database through `run_db`, whose
`session_scope` rolls the transaction back and closes the session before the exception leaves
it, so by the time Reflex calls this handler nothing half-done is left open, and after-commit
side effects (emails, live events) queued in that transaction have been dropped.

No `from __future__ import annotations` in this module: Reflex validates the handlers' signatures
by `eval`-ing string annotations in its own module's namespace, so they stay real objects.
"""

import logging

import reflex as rx
from reflex.event import EventSpec

from microblog.logs import report_error

log = logging.getLogger(__name__)

ERROR_TOAST = "Something went wrong on our side. It has been reported; please try again."


def handle_backend_exception(exception: Exception) -> EventSpec:
    """An event handler raised: report it, and tell the user in words they can act on.

    Runs on the event loop: `report_error` only logs here and hands the email to a thread.
    """
    report_error(exception, context="a Reflex event handler")
    return rx.toast.error(ERROR_TOAST)


def handle_frontend_exception(exception: Exception) -> None:
    """The browser reported an error (a render error caught by the error boundary, a state
    update it could not apply). Logged only: the text comes from the client, so it must not be
    able to trigger emails; Reflex already rate-limits these reports per session."""
    log.error("Frontend error: %s", exception)
