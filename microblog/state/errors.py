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

import json
import logging
from functools import cache

import reflex as rx
from reflex.event import EventSpec

from microblog.i18n import SUPPORTED, _l, translate
from microblog.logs import report_error
from microblog.state.locale import STORAGE_KEY

log = logging.getLogger(__name__)

ERROR_TOAST = _l("Something went wrong on our side. It has been reported; please try again.")


@cache
def _error_toast_text() -> rx.Var:
    """ERROR_TOAST in the tab's language, chosen in the browser.

    The handler only receives the exception (no state), and what it returns reaches the browser
    as source text that `state.js` evaluates, where the i18n runtime's imports are not in scope.
    So the event carries the message in every language (~300 bytes, from the catalogs) and picks
    the one under the key LocaleState.lang is kept in (localStorage, synced: the tab's current
    language); English when storage is unavailable. No round trip, nothing that can fail again
    on the server."""
    texts = json.dumps({lang: translate(ERROR_TOAST, lang) for lang in SUPPORTED})
    key = json.dumps(STORAGE_KEY)
    english = json.dumps(str(ERROR_TOAST))
    lookup = (
        f"(() => {{ try {{ return {texts}[window.localStorage.getItem({key})] || {english}; }}"
        f" catch (e) {{ return {english}; }} }})()"
    )
    return rx.Var(lookup, _var_type=str)


def handle_backend_exception(exception: Exception) -> EventSpec:
    """An event handler raised: report it, and tell the user in words they can act on.

    Runs on the event loop: `report_error` only logs here and hands the email to a thread.
    """
    report_error(exception, context="a Reflex event handler")
    return rx.toast.error(_error_toast_text())


def handle_frontend_exception(exception: Exception) -> None:
    """The browser reported an error (a render error caught by the error boundary, a state
    update it could not apply). Logged only: the text comes from the client, so it must not be
    able to trigger emails; Reflex already rate-limits these reports per session."""
    log.error("Frontend error: %s", exception)
