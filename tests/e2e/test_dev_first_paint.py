"""Under `make run` (MICROBLOG_ENV=development) the dev server shows the first paint that
production writes into a page's HTML (web/dev_first_paint.py, assets/dev_first_paint.js), so a
change to a server-drawn widget is seen where it is made. Here the page's websocket is held
back, so the page never goes live and what shows is the server's drawing alone."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from microblog.db import make_engine
from microblog.services.messages import send_message
from microblog.services.posts import create_post
from microblog.services.users import get_user_by_username, register_user
from tests.e2e.conftest import RunningApp, running_app
from tests.tab_state import session_token

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dev_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """`make run`'s environment: MICROBLOG_ENV=development."""
    work = tmp_path_factory.mktemp("dev")
    with running_app(work, extra_env=lambda _port: {"MICROBLOG_ENV": "development"}) as app:
        yield app


def _a_post(database_url: str) -> tuple[str, str]:
    name, body = f"dev{secrets.token_hex(3)}", f"drawn by the server {secrets.token_hex(3)}"
    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            user = register_user(
                db,
                username=name,
                email=f"{name}@example.com",
                password="pw-12345678",
                password2="pw-12345678",
            )
            db.flush()
            create_post(db, author_id=user.id or 0, body=body)
            db.commit()
    finally:
        engine.dispose()
    return name, body


def _page(browser: Browser, app: RunningApp, *, live: bool) -> Page:
    context = browser.new_context(base_url=app.frontend)
    context.set_default_timeout(30_000)
    page = context.new_page()
    if not live:  # the socket never reaches the server: the page never goes live
        page.route_web_socket(re.compile(r"/_event"), lambda socket: None)
    return page


def test_the_dev_server_shows_the_first_paint(browser: Browser, dev_app: RunningApp) -> None:
    name, body = _a_post(dev_app.database_url)
    page = _page(browser, dev_app, live=False)
    try:
        page.goto("/explore")
        drawn = page.locator(".feed-first-paint .post", has_text=body)
        expect(drawn).to_be_visible()
        expect(drawn.locator(".post-author")).to_have_text(name)
        expect(page.locator(".nav-first-paint").get_by_role("link", name="Log in")).to_be_visible()

        page.goto(f"/user/{name}")  # the profile is drawn whole
        expect(page.locator(".feed-first-paint .profile-username")).to_have_text(name)
    finally:
        page.context.close()

    live = _page(browser, dev_app, live=True)  # and the live page replaces it
    try:
        live.goto("/explore")
        expect(live.locator(".post-list .post", has_text=body)).to_be_visible()
        # assets/feed_first_paint.js: hidden, then emptied, and not filled again
        expect(live.locator(".feed-first-paint")).to_be_hidden()
        expect(live.locator(".feed-first-paint:not(:empty)")).to_have_count(0)
    finally:
        live.context.close()


def _a_conversation(database_url: str) -> tuple[str, str, str, str, str]:
    """Two people who wrote to each other, and a third: (writer, reader, stranger, what the
    writer said, the reader's session token)."""
    writer, reader, stranger = (f"{who}{secrets.token_hex(3)}" for who in ("w", "r", "s"))
    said = f"only for {reader} {secrets.token_hex(3)}"
    engine = make_engine(database_url)
    try:
        with Session(engine) as db:
            for name in (writer, reader, stranger):
                register_user(
                    db,
                    username=name,
                    email=f"{name}@example.com",
                    password="pw-12345678",
                    password2="pw-12345678",
                )
            db.flush()
            sender = get_user_by_username(db, writer)
            send_message(db, sender_id=sender.id or 0, recipient_username=reader, body=said)
            db.commit()
            reader_token = session_token(db, get_user_by_username(db, reader))
            stranger_token = session_token(db, get_user_by_username(db, stranger))
    finally:
        engine.dispose()
    return writer, reader, said, reader_token, stranger_token


def test_the_dev_server_shows_a_conversation_to_its_reader_only(
    browser: Browser, dev_app: RunningApp
) -> None:
    writer, _reader, said, reader_token, stranger_token = _a_conversation(dev_app.database_url)
    for token, sees_it in ((reader_token, True), (stranger_token, False)):
        page = _page(browser, dev_app, live=False)
        page.context.add_cookies(
            [{"name": dev_app.cookie_name, "value": token, "url": dev_app.frontend}]
        )
        try:
            page.goto(f"/messages/{writer}")
            drawn = page.locator(".feed-first-paint .conversation-page")
            expect(drawn.get_by_role("heading", name=writer)).to_be_visible()
            if sees_it:
                expect(drawn.locator(".message.theirs")).to_have_text(re.compile(said))
            else:
                expect(drawn.locator(".chat-empty")).to_be_visible()
                expect(page.get_by_text(said)).to_have_count(0)
            page.goto("/messages")  # the list: the reader's conversation, nobody else's
            listed = page.locator(".feed-first-paint .conversation")
            if sees_it:
                expect(listed).to_have_count(1)
                expect(listed).to_contain_text(said)
                expect(listed).to_have_attribute("href", f"/messages/{writer}")
            else:
                nav = page.locator(".nav-first-paint").get_by_role("link", name="Log out")
                expect(nav).to_be_visible()  # the drawing came, without a list
                expect(listed).to_have_count(0)
                expect(page.get_by_text(said)).to_have_count(0)
        finally:
            page.context.close()
