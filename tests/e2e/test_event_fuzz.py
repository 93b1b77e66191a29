"""Every public event handler, called over the raw websocket by a visitor and by another signed-in
user, with payloads a browser would never send: wrong types, missing and unknown arguments,
oversized text, `setvar` on private vars, and well-typed calls aimed at someone else's posts.

Nothing may change in the database, nothing private of Alice's or Bob's may reach either tab,
the server stays up, and the logs grow by a few lines, not a traceback per event.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from reflex_base.registry import RegistrationContext
from sqlalchemy import create_engine, text

import microblog.microblog  # noqa: F401  (registers every page, state and handler)
from microblog.config import normalize_database_url
from microblog.state.event_check import MAX_TEXT, _signature
from microblog.state.session import SessionState
from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage, RunningApp
from tests.e2e.test_live import send_message
from tests.reflex_socket import RawTab

pytestmark = pytest.mark.browser

WRONG_VALUES: list[Any] = [12345, -1, None, [], {"nested": {"deeper": 1}}, "x" * (MAX_TEXT + 1)]
# Tables whose rows a refused event could have changed; `user` without last_seen, which any
# reader's visit may touch.
SNAPSHOT = {
    "user": "id, username, email, password_hash, about_me, language, email_on_follow",
    "post": "id, body, user_id",
    "follow": "follower_id, followed_id",
    "message": "id, sender_id, recipient_id, body",
    "conversation": "owner_id, other_id, last_message_id, unread",
    "announcement": "id, body",
    "task": "id, user_id, status",
    "api_token": "token_hash, user_id",
    "auth_session": "token_hash, user_id",
}


def _run(coro: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run async code beside Playwright's sync API, which holds this thread's event loop."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro())
        except BaseException as problem:  # re-raised in the test's thread
            result["error"] = problem

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def _snapshot(database_url: str) -> dict[str, set[tuple]]:
    engine = create_engine(normalize_database_url(database_url))
    try:
        with engine.connect() as conn:
            return {
                table: set(map(tuple, conn.execute(text(f'SELECT {cols} FROM "{table}"'))))  # noqa: S608
                for table, cols in SNAPSHOT.items()
            }
    finally:
        engine.dispose()


def _our_handlers() -> dict[str, dict[str, Any]]:
    """Full event name -> its parameters and their annotations."""
    found = {}
    for name, registered in RegistrationContext.get().event_handlers.items():
        if registered.states[0].__module__.startswith("microblog.") and not name.endswith(
            ".setvar"
        ):
            found[name] = _signature(registered.handler.fn)[0]
    return found


def _bad_payloads(params: dict[str, Any]) -> list[Any]:
    payloads: list[Any] = [{"unknown_argument": 1}, "not an object", [1, 2]]
    if params:
        payloads.append({})  # arguments missing
    for param in params:
        payloads += [{**dict.fromkeys(params, ""), param: value} for value in WRONG_VALUES]
    return payloads


def _aimed_at(params: dict[str, Any], victim: str, post_id: int) -> dict[str, Any] | None:
    """A well-typed payload naming the victim's things, or None when the handler takes
    something else."""
    payload: dict[str, Any] = {}
    for param, annotation in params.items():
        kind = str(annotation)
        if "int" in kind:
            payload[param] = post_id
        elif "bool" in kind:
            payload[param] = True
        elif "str" in kind:
            payload[param] = victim
        elif "dict" in kind:
            payload[param] = {"username": victim, "recipient": victim, "body": "hijacked"}
        else:
            return None
    return payload


def _log_size(app: RunningApp) -> tuple[int, int]:
    sizes = []
    for path in (app.app_log, app.server_log):
        sizes.append(path.stat().st_size if path and path.exists() else 0)
    return sizes[0], sizes[1]


def test_every_handler_refuses_what_does_not_fit_and_leaks_nothing(
    live_app: RunningApp, new_page: NewPage
) -> None:
    alice, bob, mallory = new_name("alice"), new_name("bob"), new_name("mallory")
    secret = f"the vault code is {new_name('')}"
    page_a = signed_up(new_page(), alice)
    post(page_a, f"a public post by {alice}")
    send_message(signed_up(new_page(), bob), alice, secret)
    page_m = signed_up(new_page(), mallory)
    mallory_cookie = next(c for c in page_m.context.cookies() if c["name"] == live_app.cookie_name)
    engine = create_engine(normalize_database_url(live_app.database_url))
    with engine.connect() as conn:
        alice_post = conn.execute(
            text(
                'SELECT post.id FROM post JOIN "user" ON post.user_id = "user".id '
                'WHERE "user".username = :name'
            ),
            {"name": alice},
        ).scalar_one()
    engine.dispose()

    backend = urlsplit(live_app.backend)
    handlers = _our_handlers()
    assert len(handlers) > 30
    session_state = SessionState.get_full_name()

    async def fuzz() -> tuple[list[str], list[str], int]:
        visitor = RawTab(backend.hostname or "", backend.port or 0, origin=live_app.frontend)
        other = RawTab(
            backend.hostname or "",
            backend.port or 0,
            origin=live_app.frontend,
            cookie=f"{live_app.cookie_name}={mallory_cookie['value']}",
        )
        await visitor.open("/")
        await other.open("/")
        before = _snapshot(live_app.database_url)
        sent = 0
        for tab in (visitor, other):
            for name, params in handlers.items():
                for payload in _bad_payloads(params):
                    tab.send(name, payload)
                    sent += 1
                aimed = _aimed_at(params, alice, alice_post)
                # Every well-typed call from a visitor; from Mallory only those on posts, as her
                # own follows and posts are hers to change, and so are her likes and boosts.
                own_reaction = name.rsplit(".", 1)[-1] in ("toggle_like", "toggle_boost")
                if aimed is not None and (
                    tab is visitor or ("post_id" in aimed and not own_reaction)
                ):
                    tab.send(name, aimed, path=f"/user/{alice}")
                    sent += 1
            for var in ("user_id", "user_name", "_session_key"):
                tab.send(f"{session_state}.setvar", {"var_name": var, "value": 1})
            tab.send("reflex___state____state.no_such_state.no_such_handler", {})
            tab.send_raw('42/_event,["event", "not even an object"]')
            await tab.settled()
        after = _snapshot(live_app.database_url)
        assert before == after, {t: before[t] ^ after[t] for t in before if before[t] != after[t]}
        # Still serving: a new visitor's tab opens.
        late = RawTab(backend.hostname or "", backend.port or 0, origin=live_app.frontend)
        await late.open("/explore")
        await late.close()
        frames = (list(visitor.frames), list(other.frames))
        await visitor.close()
        await other.close()
        return frames[0], frames[1], sent

    logs_before = _log_size(live_app)
    visitor_frames, mallory_frames, sent = _run(fuzz)
    logs_after = _log_size(live_app)

    assert sent > 500
    for frames in (visitor_frames, mallory_frames):
        received = "\n".join(frames)
        assert secret not in received
        assert f"{alice}@example.com" not in received and f"{bob}@example.com" not in received
    assert "hijacked" not in "\n".join(mallory_frames)
    # A few lines, not a traceback per refused event.
    grown = [after - before for before, after in zip(logs_before, logs_after, strict=True)]
    assert grown[0] < 20_000, f"our log grew by {grown[0]} bytes for {sent} refused events"
    assert grown[1] < 20_000, f"the server's log grew by {grown[1]} bytes"
    # Alice's page is untouched and her post still there.
    page_a.goto(f"/user/{alice}")
    expect(page_a.locator(".post", has_text=f"a public post by {alice}")).to_be_visible()


def test_a_message_over_64_kib_closes_the_socket_and_nothing_else(live_app: RunningApp) -> None:
    backend = urlsplit(live_app.backend)
    name = f"{SessionState.get_full_name()}.load_session"

    async def play() -> bool:
        tab = RawTab(backend.hostname or "", backend.port or 0, origin=live_app.frontend)
        await tab.open("/explore")
        tab.send(name, {"padding": "x" * (64 * 1024)})
        await asyncio.wait_for(tab.closed.wait(), 20)
        late = RawTab(backend.hostname or "", backend.port or 0, origin=live_app.frontend)
        await late.open("/explore")  # the server still serves everyone else
        await late.close()
        return tab.closed.is_set()

    assert _run(play)
