"""A tab's state belongs to the login session that filled it.

The tab token (sessionStorage, sent in the websocket address) is only an address. These tests
play the attack an audit found: a browser without Alice's cookie reconnects with the token of
Alice's closed tab. It must get a visitor's page, and nothing of Alice's may reach it, neither
at once nor later. And when a session ends (logout, a password reset), its open tabs are
emptied at once, without a reload.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.actions import log_in, new_name, signed_up
from tests.e2e.conftest import NewPage
from tests.e2e.test_live import assert_not_reloaded, badge, mark_no_reload, send_message
from tests.e2e.test_password_reset import ask_for_reset, reset_link
from tests.smtp import SmtpSink

pytestmark = pytest.mark.browser

UNREAD = re.compile(r'unread_messages[^"]*":\s*[1-9]')


def record_frames(page: Page) -> list[str]:
    """Every websocket frame the page receives from now on."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(str(data))))
    return frames


def open_inbox(page: Page, text: str) -> None:
    """The Messages page, then the conversation whose newest message is `text` (which reads
    it)."""
    page.goto("/messages")
    page.locator(".conversation", has_text=text).click()
    expect(page.locator(".message").last).to_contain_text(text)


def test_an_old_tab_token_without_the_cookie_gets_nothing_private(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    send_message(page_b, alice, "the secret plan")
    open_inbox(page_a, "the secret plan")
    token = page_a.evaluate("sessionStorage.getItem('token')")
    watcher = page_a.context.new_page()  # Alice's other tab, to know when delivery is done
    watcher.goto("/explore")
    page_a.close()  # the tab is closed; its state stays on the server under its token

    attacker = new_page()  # another browser: Alice's cookie is not in it
    frames = record_frames(attacker)
    attacker.add_init_script(f"sessionStorage.setItem('token', {json.dumps(token)})")
    attacker.goto("/explore")
    expect(attacker.get_by_role("link", name="Log in")).to_be_visible()
    assert attacker.evaluate("sessionStorage.getItem('token')") == token
    attacker.goto("/messages")  # a page that needs a login sends a visitor to log in
    expect(attacker).to_have_url(re.compile(r"/login\?next="))

    # Later messages to Alice reach Alice's tab, and not the tab that took her old token.
    attacker.goto("/explore")
    expect(attacker.get_by_role("heading", name="Explore")).to_be_visible()
    send_message(page_b, alice, "the second secret")
    expect(badge(watcher, "messages")).to_have_text("1")

    received = "\n".join(frames)
    assert frames, "the attacker's page exchanged no websocket frames"
    assert alice not in received
    assert "secret" not in received
    assert not UNREAD.search(received)
    expect(badge(attacker, "messages")).to_have_count(0)


def test_logging_out_empties_the_sessions_other_open_tabs_at_once(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    send_message(page_b, alice, "for your eyes only")
    inbox = page_a.context.new_page()
    open_inbox(inbox, "for your eyes only")
    mark_no_reload(inbox)

    page_a.goto("/explore")
    page_a.get_by_role("link", name="Log out").click()
    expect(page_a.get_by_role("link", name="Log in")).to_be_visible()

    # The other tab was not reloaded, yet shows a visitor's page and no message.
    expect(inbox.get_by_role("link", name="Log in")).to_be_visible()
    expect(inbox.locator(".message")).to_have_count(0)
    assert_not_reloaded(inbox)

    # And it gets nothing more: Alice, signed in again elsewhere, gets the next message.
    frames = record_frames(inbox)
    elsewhere = new_page()
    elsewhere.goto("/login")
    log_in(elsewhere, alice)
    expect(elsewhere.get_by_role("heading", name=f"Hi, {alice}!")).to_be_visible()
    send_message(page_b, alice, "still there?")
    expect(badge(elsewhere, "messages")).to_have_text("1")
    assert "still there?" not in "\n".join(frames)
    assert not UNREAD.search("\n".join(frames))
    expect(badge(inbox, "messages")).to_have_count(0)


def test_a_password_reset_empties_the_tabs_of_every_browser(
    new_page: NewPage, app_mail: SmtpSink
) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    send_message(page_b, alice, "keep this quiet")
    open_inbox(page_a, "keep this quiet")
    mark_no_reload(page_a)

    other_browser = new_page()
    email = f"{alice}@example.com"
    ask_for_reset(other_browser, email)
    other_browser.goto(reset_link(app_mail, email))
    other_browser.get_by_label("New password", exact=True).fill("a brand new secret")
    other_browser.get_by_label("Repeat new password").fill("a brand new secret")
    other_browser.get_by_role("button", name="Set New Password").click()
    expect(other_browser).to_have_url(re.compile(r"/login\?reset=1$"))

    expect(page_a.get_by_role("link", name="Log in")).to_be_visible()
    expect(page_a.locator(".message")).to_have_count(0)
    assert_not_reloaded(page_a)


def test_a_new_tab_token_comes_from_the_cryptographic_random_source(new_page: NewPage) -> None:
    page = new_page()
    page.add_init_script("crypto.getRandomValues = (array) => { array.fill(0xab); return array; }")
    page.goto("/explore")
    expect(page.get_by_role("heading", name="Explore")).to_be_visible()
    token = page.evaluate("sessionStorage.getItem('token')")
    assert token == "abababab-abab-4bab-abab-abababababab"
