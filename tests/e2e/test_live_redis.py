"""The live tests' core with two backends sharing one database and one Redis: the writer's
backend is not the reader's, so every update has to cross Redis pub/sub (and Reflex keeps each
tab's state in Redis)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.actions import new_name, post
from tests.e2e.conftest import RunningApp
from tests.e2e.test_live import assert_not_reloaded, badge, mark_no_reload, send_message, signed_up

pytestmark = pytest.mark.browser


def test_message_and_new_post_cross_backends(
    live_pair: list[RunningApp], browser_contexts: Callable[[str], Page]
) -> None:
    one, two = live_pair
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(browser_contexts(one.frontend), alice)  # Alice on backend one
    page_b = signed_up(browser_contexts(two.frontend), bob)  # Bob on backend two

    # Bob follows Alice from the popup (backend two), Alice sees the notification (backend one).
    post(page_a, f"hi from {alice}")
    page_b.goto("/explore")
    page_b.locator(".post", has_text=f"hi from {alice}").get_by_text(alice).first.hover()
    page_b.locator(".user-popup").get_by_role("button", name="Follow", exact=True).click()
    expect(page_b.locator(".user-popup").get_by_role("button", name="Unfollow")).to_be_visible()
    expect(badge(page_a, "notifications")).to_have_text("1")

    page_b.goto("/")
    expect(page_b.locator(".post").first).to_contain_text(f"hi from {alice}")
    mark_no_reload(page_b)

    send_message(page_a, bob, "over the wire")
    expect(badge(page_b, "messages")).to_have_text("1")

    page_a.goto("/")
    post(page_a, f"second from {alice}")
    expect(page_b.get_by_role("button", name="Show 1 new post")).to_be_visible()
    assert_not_reloaded(page_b)


def test_logging_out_through_one_backend_empties_the_tab_on_the_other(
    live_pair: list[RunningApp], browser_contexts: Callable[[str], Page]
) -> None:
    one, two = live_pair
    alice, bob = new_name("alice"), new_name("bob")
    inbox = signed_up(browser_contexts(one.frontend), alice)  # Alice's tab on backend one
    send_message(signed_up(browser_contexts(two.frontend), bob), alice, "between workers")
    inbox.goto("/messages")
    inbox.locator(".conversation", has_text="between workers").click()
    expect(inbox.locator(".message").last).to_contain_text("between workers")
    mark_no_reload(inbox)

    elsewhere = inbox.context.new_page()  # the same browser, on backend two
    elsewhere.goto(f"{two.frontend}/explore")
    elsewhere.get_by_role("link", name="Log out").click()
    expect(elsewhere.get_by_role("link", name="Log in")).to_be_visible()

    expect(inbox.get_by_role("link", name="Log in")).to_be_visible()
    expect(inbox.locator(".message")).to_have_count(0)
    assert_not_reloaded(inbox)
