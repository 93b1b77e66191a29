"""The cap on Reflex's upload endpoint (web/upload_limit.py): a body without a length or over
the cap is answered before a byte of it is read; anything else, and every other path, passes."""

from __future__ import annotations

import asyncio
from typing import Any

from microblog.state.event_check import MAX_ITEMS
from microblog.web.upload_limit import FILES, UploadLimitMiddleware, upload_limit


def _call(path: str, headers: dict[str, str]) -> tuple[int, bool]:
    """(the status answered, whether the app behind was reached and read the body)."""
    reached = False
    sent: list[dict[str, Any]] = []

    async def app(scope: dict, receive: Any, send: Any) -> None:
        nonlocal reached
        reached = True
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"x", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(UploadLimitMiddleware(app)(scope, receive, send))  # type: ignore[arg-type]
    return sent[0]["status"], reached


def test_an_upload_must_say_its_length_and_stay_under_the_cap() -> None:
    assert _call("/_upload", {}) == (411, False)
    assert _call("/_upload", {"content-length": "abc"}) == (411, False)
    assert _call("/_upload", {"content-length": str(upload_limit() + 1)}) == (413, False)
    assert _call("/_upload", {"content-length": str(upload_limit())}) == (200, True)


def test_other_paths_are_not_its_business() -> None:
    assert _call("/api/users/me/avatar", {"content-length": str(upload_limit() + 1)}) == (
        200,
        True,
    )


def test_the_cap_counts_as_many_files_as_a_handler_may_be_handed() -> None:
    assert FILES == MAX_ITEMS
