"""A live hub that keeps what the services publish, for tests that deliver events by hand or
look at what was said. Import the fixtures (`hub`, `published`) into a test module to use them."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from microblog.live.events import LiveEvent
from microblog.live.hub import set_hub


class RecordingHub:
    """A hub that remembers what was published (from any thread) and can look at the database
    at the moment of publishing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[LiveEvent] = []
        self.on_publish: list[Callable[[LiveEvent], None]] = []

    def publish(self, event: LiveEvent) -> None:
        with self._lock:
            self.events.append(event)
        for callback in self.on_publish:
            callback(event)

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[AsyncIterator[LiveEvent]]:
        raise NotImplementedError  # never used: these tests only publish

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
def hub() -> Iterator[RecordingHub]:
    recording = RecordingHub()
    set_hub(recording)
    try:
        yield recording
    finally:
        set_hub(None)


@pytest.fixture
def published() -> Iterator[list[LiveEvent]]:
    """The events published during the test, in order (the `hub` fixture's list, for tests
    that need no more of it)."""
    recording = RecordingHub()
    set_hub(recording)
    try:
        yield recording.events
    finally:
        set_hub(None)
