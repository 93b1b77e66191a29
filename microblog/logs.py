"""Where the app's own log goes, and what happens to an error nobody caught.

- `configure_logging(settings)`: the `microblog` logger tree at INFO, into a rotating file
  (`LOG_FILE`, `LOG_MAX_BYTES`, `LOG_BACKUP_COUNT`) or, with `LOG_TO_STDOUT`, to stdout (what a
  container platform collects). Reflex keeps its own `reflex` logger and sinks; we only attach to
  `microblog`, and leave propagation on so pytest's `caplog` and any root set-up still see us.
  Running several worker processes? Prefer `LOG_TO_STDOUT`: a rotating file is per process.
- `LOG_FORMAT=json`: one JSON object per line (`JsonFormatter`: time, level, logger, message,
  the request id when there is one, the traceback), for a log collector to parse instead of
  guess. The request id is the HTTP request's (`X-Request-ID`, web/request_id.py) or the
  Reflex event's, set in `request_id` for everything that request or event logs, in worker
  threads too (asyncio.to_thread copies it).
- `report_error(exc, context=...)`: log the traceback and email it to `ADMINS` from a background
  thread, at most `ERROR_MAIL_LIMIT` emails per `ERROR_MAIL_WINDOW` seconds; the next email says
  how many reports were held back. The log gets a traceback for the first few reports a minute
  and one line for each of the next ones, up to a limit (`LineLimiter`): an error anyone can
  provoke at will must not fill the disk.

No Reflex here: the UI's exception handlers (`microblog.state.errors`) call in.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
import time
import traceback
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from datetime import UTC, datetime
from email.message import EmailMessage
from logging.handlers import RotatingFileHandler
from pathlib import Path

from microblog import mail
from microblog.config import Settings, get_settings

LOGGER_NAME = "microblog"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s [in %(pathname)s:%(lineno)d]"
ERROR_MAIL_LIMIT = 5
ERROR_MAIL_WINDOW = 600.0  # seconds

log = logging.getLogger(__name__)

# -- the log sink ----------------------------------------------------------------------------

_lock = threading.Lock()
_installed: tuple[tuple[object, ...], logging.Handler] | None = None


def _target(settings: Settings) -> tuple[object, ...]:
    if settings.log_to_stdout:
        return ("stdout", settings.log_format)
    return (
        "file",
        settings.log_file,
        settings.log_max_bytes,
        settings.log_backup_count,
        settings.log_format,
    )


# The HTTP request or Reflex event being handled ("" outside one).
request_id: ContextVar[str] = ContextVar("request_id", default="")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in a message or a traceback are
    escaped by JSON): `time` (UTC, ISO 8601), `level`, `logger`, `message`, `source`, and
    `request_id` and `exception` when there are."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "source": f"{record.pathname}:{record.lineno}",
        }
        if found := request_id.get():
            entry["request_id"] = found
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _formatter(settings: Settings) -> logging.Formatter:
    return JsonFormatter() if settings.log_format == "json" else logging.Formatter(LOG_FORMAT)


def _make_handler(settings: Settings) -> logging.Handler:
    if settings.log_to_stdout:
        return logging.StreamHandler(sys.stdout)
    path = Path(settings.log_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    return RotatingFileHandler(
        path,
        maxBytes=settings.log_max_bytes,
        backupCount=settings.log_backup_count,
        encoding="utf-8",
    )


def configure_logging(settings: Settings | None = None) -> logging.Handler:
    """Send the `microblog` logger tree (INFO and up) to the configured sink.

    Idempotent: a second call with the same target keeps the handler it has; a call with another
    target (a test, a reload with new settings) replaces it. Returns the handler in use.
    """
    global _installed
    settings = settings or get_settings()
    target = _target(settings)
    with _lock:
        app_logger = logging.getLogger(LOGGER_NAME)
        app_logger.setLevel(logging.INFO)
        if _installed is not None:
            if _installed[0] == target and _installed[1] in app_logger.handlers:
                return _installed[1]
            _remove(app_logger, _installed[1])
        handler = _make_handler(settings)
        handler.setFormatter(_formatter(settings))
        handler.setLevel(logging.INFO)
        app_logger.addHandler(handler)
        _installed = (target, handler)
        return handler


def reset_logging() -> None:
    """Detach and close the handler `configure_logging` installed (tests; orderly shutdown)."""
    global _installed
    with _lock:
        if _installed is not None:
            _remove(logging.getLogger(LOGGER_NAME), _installed[1])
            _installed = None


def _remove(app_logger: logging.Logger, handler: logging.Handler) -> None:
    app_logger.removeHandler(handler)
    handler.close()


# -- bounded logging -------------------------------------------------------------------------


class LineLimiter:
    """At most `limit` lines per `window` seconds; the first line of the next window says how
    many were left out. What a client can trigger at will (a refused event, a refused
    connection, an error it provokes) must not be able to fill the disk or rotate the log."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._started = -window
        self._written = 0
        self._left_out = 0

    def admit(self, now: float | None = None) -> int | None:
        """None: leave this line out. Otherwise write it, adding the returned number of lines
        left out before it."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if now - self._started >= self.window:
                left_out, self._left_out = self._left_out, 0
                self._started, self._written = now, 1
                return left_out
            if self._written < self.limit:
                self._written += 1
                return 0
            self._left_out += 1
            return None


def log_limited(
    logger: logging.Logger, limiter: LineLimiter, level: int, message: str, *args: object
) -> None:
    """`logger.log(level, message, *args)`, within `limiter`'s budget."""
    left_out = limiter.admit()
    if left_out is None:
        return
    if left_out:
        message += f" ({left_out} similar lines left out)"
    logger.log(level, message, *args)


# -- error reports ---------------------------------------------------------------------------


class ReportThrottle:
    """A sliding window: at most `limit` emails in any `window` seconds. Thread-safe.

    A loop that fails on every request must not send an admin thousands of emails; it must not
    hide either, so the reports held back are counted and the next email carries the count.
    """

    def __init__(self, limit: int = ERROR_MAIL_LIMIT, window: float = ERROR_MAIL_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._sent: deque[float] = deque()
        self._held_back = 0
        self._lock = threading.Lock()

    def admit(self, now: float) -> int | None:
        """None: hold this report back. Otherwise send it, mentioning the returned number of
        reports held back since the last email."""
        with self._lock:
            while self._sent and now - self._sent[0] >= self.window:
                self._sent.popleft()
            if len(self._sent) >= self.limit:
                self._held_back += 1
                return None
            self._sent.append(now)
            held_back, self._held_back = self._held_back, 0
            return held_back


error_mail_throttle = ReportThrottle()
# Full tracebacks in the log, then one line per error: an error a client can provoke over and
# over must not fill the disk.
_tracebacks = LineLimiter(5)
_error_lines = LineLimiter(30)

# One worker of our own: error emails neither wait behind nor delay other mail, and the
# throttle bounds its queue.
_report_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="error-mail")


def report_error(exc: BaseException, *, context: str, now: float | None = None) -> None:
    """Log `exc` with its traceback; email the traceback to ADMINS (throttled, in the
    background). Never raises: it runs where something has already gone wrong.

    `now` is a `time.monotonic()` reading, for tests of the throttle. Email needs both `ADMINS`
    and `MAIL_SERVER` (without a server the email would only repeat the log).
    """
    try:
        if _tracebacks.admit() is not None:
            log.error("Unhandled exception (%s)", context, exc_info=exc)
        else:
            summary = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
            log_limited(
                log,
                _error_lines,
                logging.ERROR,
                "Unhandled exception (%s): %s (traceback not repeated)",
                context,
                summary,
            )
        settings = get_settings()
        if not (settings.admins and settings.mail_server):
            return
        held_back = error_mail_throttle.admit(time.monotonic() if now is None else now)
        if held_back is None:
            return
        message = _error_message(exc, context=context, held_back=held_back, settings=settings)
        _report_pool.submit(_send_report, message)
    except Exception:
        log.exception("Could not report an error")


def flush_reports(timeout: float = 30.0) -> None:
    """Wait until the error emails queued so far have been handed over (or failed)."""
    _report_pool.submit(lambda: None).result(timeout=timeout)


def _error_message(
    exc: BaseException, *, context: str, held_back: int, settings: Settings
) -> EmailMessage:
    summary = f"{type(exc).__name__}: {exc}".splitlines()[0][:150]
    lines = [
        f"An unhandled exception in Microblog ({context}).",
        "",
        f"Time:    {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"Host:    {socket.gethostname()} (pid {os.getpid()})",
        f"Site:    {settings.base_url}",
    ]
    if held_back:
        lines.append(
            f"Also:    {held_back} more error report(s) were not emailed (at most "
            f"{error_mail_throttle.limit} per {error_mail_throttle.window:.0f} s); "
            "see the log."
        )
    lines += ["", "".join(traceback.format_exception(exc))]
    return mail.build_message(
        subject=f"[Microblog] Failure: {summary}",
        recipients=list(settings.admins),
        text_body="\n".join(lines),
    )


def _send_report(message: EmailMessage) -> None:
    try:
        mail.get_mailer().send(message)
    except Exception as problem:
        log.warning("Could not email the error report to ADMINS: %s", problem)
