"""microblog/stack/supervisor.py: the stack does not say "ready" on an address another program
holds. nginx would fail to bind there while its address answered (with the other program's
replies), which is how a CI run once saw "ready" and a site that answered nothing."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator

import pytest

from microblog.stack.supervisor import Child, Stack, accepts


@pytest.fixture
def taken() -> Iterator[tuple[str, int]]:
    """An address on which this test listens."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()


def test_an_address_in_use_stops_the_stack_before_anything_starts(
    taken: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    worker = Child(name="worker :1", argv=[sys.executable, "-c", "pass"])
    nginx = Child(name="nginx", argv=[sys.executable, "-c", "pass"], listens_on=taken)
    assert Stack([worker], nginx).run() == 1
    said = capsys.readouterr().out
    assert f"another program already listens on 127.0.0.1:{taken[1]}" in said
    assert "stack: ready" not in said
    assert worker.process is None and nginx.process is None  # nothing was started


def test_accepts_tells_a_listening_address_from_a_free_one(taken: tuple[str, int]) -> None:
    assert accepts(taken)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()
    assert not accepts(free)
