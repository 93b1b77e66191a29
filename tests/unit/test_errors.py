"""Unexpected errors: the log sink (rotating file or stdout), the throttled email to ADMINS through
a real SMTP server, and the Reflex exception handlers (a toast; the transaction rolled back)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import reflex as rx
from reflex.event import EventSpec
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

import microblog.db as db_module
from microblog import logs
from microblog.config import get_settings, load_settings
from microblog.db import run_db
from microblog.i18n import translate
from microblog.logs import ReportThrottle, configure_logging, flush_reports, report_error
from microblog.models import User
from microblog.state.errors import (
    ERROR_TOAST,
    handle_backend_exception,
    handle_frontend_exception,
)
from microblog.state.locale import STORAGE_KEY
from tests.app_server import free_port
from tests.smtp import SmtpSink

ADMIN = "admin@example.com"
LIMIT = 5


def _settings_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """Set our variables (the developer's `.env` cannot fill one set here, even to "") and make
    the next get_settings() read them."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No email unless a test asks for it, a fresh throttle, and no log handler of ours left
    behind (nor one from an earlier import of the app writing into the project's logs/)."""
    _settings_env(monkeypatch, ADMINS="", MAIL_SERVER="", LOG_TO_STDOUT="")
    monkeypatch.setattr(logs, "error_mail_throttle", ReportThrottle(limit=LIMIT, window=600))
    logs.reset_logging()
    yield
    flush_reports()
    logs.reset_logging()
    get_settings.cache_clear()


@pytest.fixture
def mail_to_sink(monkeypatch: pytest.MonkeyPatch, smtp_sink: SmtpSink) -> SmtpSink:
    _settings_env(
        monkeypatch,
        ADMINS=ADMIN,
        MAIL_SERVER=smtp_sink.host,
        MAIL_PORT=str(smtp_sink.port),
        MAIL_USE_TLS="",
        MAIL_USE_SSL="",
        MAIL_USERNAME="",
        MAIL_TIMEOUT="5",
    )
    return smtp_sink


def _failing_view() -> None:
    1 / 0  # noqa: B018


def _caught() -> ZeroDivisionError:
    """A real exception with a traceback, as an event handler would raise it."""
    try:
        _failing_view()
    except ZeroDivisionError as exc:
        return exc
    raise AssertionError("unreachable")


# -- email to ADMINS -------------------------------------------------------------------------


def test_admins_get_the_full_traceback(mail_to_sink: SmtpSink) -> None:
    report_error(_caught(), context="test")

    [message] = mail_to_sink.wait_for(lambda messages: len(messages) == 1)
    assert "ZeroDivisionError" in message["Subject"]
    assert message["To"] == ADMIN
    body = message.get_content()
    assert "Traceback (most recent call last)" in body
    assert "in _failing_view" in body
    assert "1 / 0" in body
    assert "ZeroDivisionError: division by zero" in body
    assert mail_to_sink.envelopes[0][1] == [ADMIN]


def test_a_loop_of_errors_is_throttled_and_the_next_email_counts_the_rest(
    mail_to_sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(20):
        report_error(_caught(), context="loop", now=1000.0)
    flush_reports()
    assert len(mail_to_sink.messages) == LIMIT
    assert all("more error report" not in m.get_content() for m in mail_to_sink.messages)
    # The log gets every one of them.
    assert (
        len(
            [r for r in caplog.records if r.name == "microblog.logs" and r.levelno == logging.ERROR]
        )
        == 20
    )

    report_error(_caught(), context="later", now=1599.0)  # still inside the window
    flush_reports()
    assert len(mail_to_sink.messages) == LIMIT

    report_error(_caught(), context="after the window", now=1600.0)
    messages = mail_to_sink.wait_for(lambda messages: len(messages) == LIMIT + 1)
    assert "16 more error report(s) were not emailed" in messages[-1].get_content()


def test_throttle_is_a_sliding_window() -> None:
    throttle = ReportThrottle(limit=2, window=10)
    assert throttle.admit(0) == 0
    assert throttle.admit(5) == 0
    assert throttle.admit(9) is None
    assert throttle.admit(10) == 1  # the first send has left the window
    assert throttle.admit(12) is None
    assert throttle.admit(15) == 1


def test_without_admins_the_error_is_only_logged(
    smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _settings_env(monkeypatch, MAIL_SERVER=smtp_sink.host, MAIL_PORT=str(smtp_sink.port))
    report_error(_caught(), context="no admins")
    flush_reports()
    assert smtp_sink.messages == []
    [record] = [
        r for r in caplog.records if r.name == "microblog.logs" and r.levelno == logging.ERROR
    ]
    assert record.exc_info is not None
    assert "no admins" in record.getMessage()


def test_a_dead_mail_server_is_logged_not_raised(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _settings_env(
        monkeypatch,
        ADMINS=ADMIN,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(free_port()),  # nothing listens there
        MAIL_USERNAME="",
        MAIL_TIMEOUT="5",
    )
    report_error(_caught(), context="smtp down")  # must not raise
    flush_reports()
    assert "ZeroDivisionError" in caplog.text
    assert "Could not email the error report to ADMINS" in caplog.text


def test_reports_get_through_again_once_the_mail_server_is_back(
    mail_to_sink: SmtpSink, caplog: pytest.LogCaptureFixture
) -> None:
    mail_to_sink.stop()
    report_error(_caught(), context="during the outage")
    flush_reports()
    assert "Could not email the error report to ADMINS" in caplog.text

    mail_to_sink.start()
    report_error(KeyError("after"), context="after the outage")
    [message] = mail_to_sink.wait_for(lambda messages: len(messages) == 1)
    assert "KeyError" in message["Subject"]


# -- the log sink ----------------------------------------------------------------------------


def test_log_file_rotates_at_the_configured_size_and_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_file = tmp_path / "not" / "yet" / "microblog.log"
    _settings_env(monkeypatch, LOG_FILE=str(log_file), LOG_MAX_BYTES="400", LOG_BACKUP_COUNT="2")
    settings = load_settings()
    handler = configure_logging(settings)
    assert configure_logging(settings) is handler  # idempotent
    assert logging.getLogger("microblog").handlers.count(handler) == 1

    logger = logging.getLogger("microblog.test_errors")
    for n in range(60):
        logger.info("line %02d", n)
    handler.flush()

    files = sorted(p.name for p in log_file.parent.iterdir())
    assert files == ["microblog.log", "microblog.log.1", "microblog.log.2"]
    for name in files:
        assert (log_file.parent / name).stat().st_size <= 400
    newest = log_file.read_text()
    assert "line 59" in newest
    assert "line 00" not in (log_file.parent / "microblog.log.2").read_text()  # long rotated out
    first = newest.splitlines()[0]
    pattern = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO microblog\.test_errors: line \d\d \[in "
    assert re.match(pattern, first)


def test_log_to_stdout(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _settings_env(monkeypatch, LOG_TO_STDOUT="1")
    configure_logging(load_settings())
    logging.getLogger("microblog.test_errors").info("hello from the app")
    logging.getLogger("microblog.test_errors").debug("too chatty")
    out = capsys.readouterr().out
    assert "INFO microblog.test_errors: hello from the app" in out
    assert "too chatty" not in out


def test_reconfiguring_replaces_the_handler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settings_env(monkeypatch, LOG_FILE=str(tmp_path / "a.log"))
    first = configure_logging(load_settings())
    _settings_env(monkeypatch, LOG_TO_STDOUT="1")
    second = configure_logging(load_settings())
    handlers = logging.getLogger("microblog").handlers
    assert second in handlers
    assert first not in handlers


# -- the Reflex handlers ---------------------------------------------------------------------


def test_backend_handler_reports_and_returns_a_toast(mail_to_sink: SmtpSink) -> None:
    event = handle_backend_exception(_caught())
    assert isinstance(event, EventSpec)
    js = str(event.args[0][1])
    assert '["error"]' in js
    assert ERROR_TOAST in js
    [message] = mail_to_sink.wait_for(lambda messages: len(messages) == 1)
    assert "Reflex event handler" in message.get_content()


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the toast's script")
@pytest.mark.parametrize(
    ("stored", "expected"),
    [("es", "es"), ("zh", "zh"), ("en", "en"), (None, "en"), ("fr", "en")],
)
def test_the_crash_toast_is_in_the_tab_language(
    stored: str | None, expected: str, mail_to_sink: SmtpSink
) -> None:
    """The script the browser evaluates picks the text by the tab's LocaleState.lang (its
    localStorage key), with English for anything else."""
    event = handle_backend_exception(_caught())
    script = str(event.args[0][1])
    harness = (
        f"const window = {{localStorage: {{getItem: (key) => key === {json.dumps(STORAGE_KEY)}"
        f" ? {json.dumps(stored)} : null}}}};\n"
        "let shown = null;\n"
        "const refs = {__toast: {error: (message, options) => { shown = options.title; }}};\n"
        f"({script})();\n"
        "process.stdout.write(JSON.stringify(shown));\n"
    )
    result = subprocess.run(
        ["node", "-e", harness], capture_output=True, text=True, timeout=30, check=True
    )
    assert json.loads(result.stdout) == translate(ERROR_TOAST, expected)
    if expected != "en":
        assert translate(ERROR_TOAST, expected) != str(ERROR_TOAST)


def test_handlers_pass_reflex_validation() -> None:
    """The check rx.App runs at start-up (named function, `exception: Exception`, return type)."""
    app_like = SimpleNamespace(
        frontend_exception_handler=handle_frontend_exception,
        backend_exception_handler=handle_backend_exception,
    )
    rx.App._validate_exception_handlers(app_like)  # type: ignore[arg-type]

    # ...and that check does reject a bad handler, so passing it means something.
    app_like.backend_exception_handler = lambda exception: None
    with pytest.raises(ValueError, match="lambda"):
        rx.App._validate_exception_handlers(app_like)  # type: ignore[arg-type]


def test_frontend_handler_logs(caplog: pytest.LogCaptureFixture) -> None:
    assert handle_frontend_exception(Exception("TypeError: x is undefined")) is None
    assert "Frontend error: TypeError: x is undefined" in caplog.text


def test_a_failing_handler_leaves_no_half_done_write(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_db rolls the transaction back before the exception reaches the handler."""
    monkeypatch.setattr(db_module, "get_engine", lambda: engine)

    def work(session: Session) -> None:
        session.add(User(username="ghost", email="ghost@example.com", password_hash="x"))
        session.flush()  # the row is in the transaction...
        raise RuntimeError("...and then the handler fails")

    with pytest.raises(RuntimeError) as caught:
        asyncio.run(run_db(work))
    assert isinstance(handle_backend_exception(caught.value), EventSpec)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0
