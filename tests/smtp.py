"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, in its own thread, keeping every message
it is given.

    with SmtpSink() as sink:
        ...  # point MAIL_SERVER / MAIL_PORT at sink.host / sink.port
        sink.wait_for(lambda messages: len(messages) == 1, timeout=10)

The `smtp_sink` fixture in tests/conftest.py starts one per test.
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Callable
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from tests.app_server import free_port


class SmtpSink:
    """Accepts all mail; `.messages` in arrival order; `.envelopes` the (MAIL FROM, RCPT TO)
    of each, for checking who a message really went to (Bcc never shows in the headers)."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._changed = threading.Condition()
        self._controller: Controller | None = None

    # aiosmtpd calls this (in its thread) for each message it accepts.
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._changed:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(
        self, predicate: Callable[[list[EmailMessage]], bool], timeout: float = 10.0
    ) -> list[EmailMessage]:
        """Block until `predicate(messages)` holds; fail the test after `timeout` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self.messages), timeout=timeout):
                subjects = [m["Subject"] for m in self.messages]
                raise AssertionError(f"timed out after {timeout}s; received: {subjects}")
            return list(self.messages)

    def start(self) -> SmtpSink:
        """Listen (again, after `stop()`: same port, messages kept; a stopped aiosmtpd
        controller cannot restart, so each start makes a new one)."""
        if self._controller is None:
            self._controller = Controller(self, hostname=self.host, port=self.port)
            self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: the server is down (connections refused) until `start()`."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
