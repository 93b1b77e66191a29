"""LOG_FORMAT=json: one JSON object per line, with the request id of the HTTP request or Reflex
event that wrote it (microblog/logs.py, web/request_id.py, state/event_timing.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import microblog.state.event_timing as event_timing
from microblog import logs
from microblog.config import ConfigError, get_settings, load_settings
from microblog.logs import configure_logging, request_id
from microblog.web.request_id import RequestIdMiddleware

log = logging.getLogger("microblog.test_json_logs")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """JSON lines into a file of this test's own; no handler of ours left behind."""
    path = tmp_path / "app.log"
    for name, value in {"LOG_FORMAT": "json", "LOG_TO_STDOUT": "", "LOG_FILE": str(path)}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    logs.reset_logging()
    yield path
    logs.reset_logging()
    get_settings.cache_clear()


def _lines(path: Path) -> list[dict[str, object]]:
    for handler in logging.getLogger("microblog").handlers:
        handler.flush()
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_one_object_per_line(isolated: Path) -> None:
    configure_logging(load_settings())
    log.info("hello %s", "wörld\nnext line")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it failed")
    log.debug("too chatty")
    raw = isolated.read_text()
    assert len(raw.splitlines()) == 2  # the newlines in the message and traceback are escaped
    first, second = _lines(isolated)
    assert first["message"] == "hello wörld\nnext line"
    assert (first["level"], first["logger"]) == ("INFO", "microblog.test_json_logs")
    assert datetime.fromisoformat(str(first["time"])).utcoffset() is not None
    assert str(first["source"]).rsplit(":", 1)[0].endswith("test_json_logs.py")
    assert "request_id" not in first  # outside a request there is none
    assert second["level"] == "ERROR"
    assert "ValueError: boom" in str(second["exception"])


def test_text_stays_the_default(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOG_FORMAT")
    configure_logging(load_settings())
    log.info("plain")
    logging.getLogger("microblog").handlers[-1].flush()
    assert " INFO microblog.test_json_logs: plain [in " in isolated.read_text()
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_settings()


def _app() -> Starlette:
    async def page(request: Request) -> PlainTextResponse:
        log.info("inside the request")
        await asyncio.to_thread(log.info, "in a worker thread")  # what run_db does
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/", page)])
    app.add_middleware(RequestIdMiddleware)
    return app


def test_a_request_s_lines_carry_its_id(isolated: Path) -> None:
    configure_logging(load_settings())
    client = TestClient(_app())
    fresh = client.get("/")
    given = client.get("/", headers={"X-Request-ID": "nginx-1a2b.3"})
    forged = client.get("/", headers={"X-Request-ID": 'bad id" {}'})
    ids = [r.headers["x-request-id"] for r in (fresh, given, forged)]
    assert len(ids[0]) == 32 and ids[1] == "nginx-1a2b.3"
    assert ids[2] not in ('bad id" {}', ids[0])  # refused, replaced by a new one
    lines = _lines(isolated)
    assert [line["request_id"] for line in lines] == [i for i in ids for _ in range(2)]
    assert request_id.get() == ""  # nothing leaks out of the request


def test_an_event_s_lines_carry_its_id(monkeypatch: pytest.MonkeyPatch) -> None:
    from reflex.event import Event

    monkeypatch.setattr(event_timing, "event_id", lambda: "txid-42")
    seen: list[str] = []

    async def handle() -> None:
        event = Event(name="nowhere.handler", payload={})
        await event_timing.EventTiming().preprocess(None, None, event)  # type: ignore[arg-type]
        seen.append(request_id.get())

    asyncio.run(handle())
    assert seen == ["txid-42"]
    assert request_id.get() == ""
