"""Every client event is checked against its handler before it runs (state/event_check.py), and
what a client can make us log stays bounded (microblog/logs.py)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from reflex_base.registry import RegistrationContext
from reflex_components_core.core._upload import UploadFile

import microblog.logs
import microblog.microblog  # registers every page, state and handler
from microblog.logs import LineLimiter, report_error
from microblog.state import event_check
from microblog.state.auth import LoginState
from microblog.state.compose_media import ComposeMediaState
from microblog.state.event_check import MAX_TEXT, EventCheck, problem_with
from microblog.state.feed import FeedState
from microblog.state.translation import TranslationState
from tests.tab_state import tab_state


def _ours() -> list[str]:
    return [
        name
        for name, registered in RegistrationContext.get().event_handlers.items()
        if registered.states[0].__module__.startswith("microblog.")
    ]


def test_every_handler_of_ours_has_a_signature_the_check_can_read() -> None:
    names = _ours()
    assert len(names) > 30
    for name in names:
        registered = RegistrationContext.get().event_handlers[name]
        if not name.endswith(".setvar"):
            event_check._signature(registered.handler.fn)  # raises if a type cannot be read


SUBMIT = f"{LoginState.get_full_name()}.submit"
DRAFT = f"{FeedState.get_full_name()}.set_draft"
TRANSLATE = f"{TranslationState.get_full_name()}.translate_post"
UPLOAD = f"{ComposeMediaState.get_full_name()}.upload_pictures"
REFUSED = f"{ComposeMediaState.get_full_name()}.refused_files"
PROGRESS = f"{ComposeMediaState.get_full_name()}.upload_progress"


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        (SUBMIT, {"form": {"login": "a", "password": "b"}}),
        # What a browser sends: the form's entries, wrapped.
        (SUBMIT, {"form": {"__reflex_form_data__": [["login", "a"], ["password", "b"]]}}),
        (TRANSLATE, {"post_id": "7"}),
        (DRAFT, {"value": "hello"}),
        (DRAFT, {"value": "x" * MAX_TEXT}),
        (TRANSLATE, {"post_id": 7}),
        (f"{FeedState.get_full_name()}.submit_post", {}),
        (f"{FeedState.get_full_name()}.submit_post", {"_form": None}),
        ("reflex___state____state.hydrate_and_load", {"vars": {}, "hashes": []}),
        (REFUSED, {"rejected": [{"file": {"path": "a.svg"}, "errors": [{"code": "x"}]}]}),
        (PROGRESS, {"progress": {"progress": 0.5, "loaded": 10, "total": 20}}),
        (UPLOAD, {"files": [UploadFile(io.BytesIO(b"x"), path=Path("a.jpg"))]}),
    ],
)
def test_a_payload_that_fits_its_handler_passes(name: str, payload: dict) -> None:
    assert problem_with(name, payload) is None


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        (SUBMIT, {"form": "not a form"}),
        (SUBMIT, {"form": 5}),
        (SUBMIT, {"form": {"login": {"nested": 1}}}),
        (SUBMIT, {"form": {"login": "x" * (MAX_TEXT + 1)}}),
        (SUBMIT, {}),
        (SUBMIT, {"form": {}, "extra": 1}),
        (SUBMIT, ["form"]),
        (DRAFT, {"value": None}),
        (DRAFT, {"value": "x" * (MAX_TEXT + 1)}),
        (SUBMIT, {"form": {"__reflex_form_data__": [["login", {"x": 1}]]}}),
        (SUBMIT, {"form": {"__reflex_form_data__": "garbage"}}),
        (TRANSLATE, {"post_id": "seven"}),
        (TRANSLATE, {"post_id": True}),
        (f"{LoginState.get_full_name()}.setvar", {"var_name": "error", "value": "x"}),
        ("reflex___state____state.no_such_handler", {}),
        # Files come from Reflex's upload endpoint; a websocket message cannot carry one.
        (UPLOAD, {"files": [{"filename": "a.jpg", "file": "bytes"}]}),
        (UPLOAD, {"files": "a.jpg"}),
        (REFUSED, {"rejected": [{"deep": {"deeper": {"deepest": {"x": 1}}}}]}),
        (REFUSED, {"rejected": [{}] * 17}),
        (REFUSED, {"rejected": [{"errors": "x" * (MAX_TEXT + 1)}]}),
    ],
)
def test_a_payload_that_does_not_fit_is_refused(name: str, payload: object) -> None:
    assert problem_with(name, payload)


class _Event:
    def __init__(self, name: str, payload: object) -> None:
        self.name, self.payload = name, payload


@pytest.mark.anyio
async def test_a_flood_of_bad_events_writes_a_few_lines(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(event_check, "_refusals", LineLimiter(10, 60))
    root = (await tab_state(LoginState))._get_root_state()
    caplog.set_level(logging.WARNING, logger="microblog")
    for i in range(700):
        update = await EventCheck().preprocess(
            app=None,  # type: ignore[arg-type]
            state=root,
            event=_Event(SUBMIT, {"form": i}),  # type: ignore[arg-type]
        )
        assert update is not None and not update.delta and not update.events  # dropped
    lines = [r for r in caplog.records if r.name.startswith("microblog")]
    assert len(lines) == 10
    assert all(r.exc_info is None for r in lines)
    assert "LoginState.submit" in lines[0].getMessage()
    assert sum(len(r.getMessage()) for r in lines) < 4000


def test_a_limiter_counts_what_it_left_out() -> None:
    limiter = LineLimiter(2, 60)
    assert [limiter.admit(now=t) for t in (0, 1, 2, 3)] == [0, 0, None, None]
    assert limiter.admit(now=61) == 2


def _caught() -> ZeroDivisionError:
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError as exc:
        return exc
    raise AssertionError("unreachable")


def test_repeated_errors_log_a_few_tracebacks_then_bounded_lines(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(microblog.logs, "_tracebacks", LineLimiter(5, 60))
    monkeypatch.setattr(microblog.logs, "_error_lines", LineLimiter(30, 60))
    caplog.set_level(logging.ERROR, logger="microblog")
    for _ in range(700):
        report_error(_caught(), context="a flood")
    records = [r for r in caplog.records if r.name == "microblog.logs"]
    assert sum(r.exc_info is not None for r in records) == 5
    assert len(records) == 5 + 30
    assert "ZeroDivisionError: division by zero" in records[-1].getMessage()
