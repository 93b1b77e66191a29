"""Threads, live: two people in two browser contexts. A posts; B opens the post's thread and
replies; A's open thread page shows the reply without a reload, and A's notifications say who
replied, linking to the reply's thread.

Tag pages: the renderer on main is a placeholder that extracts no #tags, so a post written with
"#tag" carries none yet; the tag page's listing and its count are covered by
tests/unit/test_tags.py, and here only the page itself (a tag in any script in its address)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.actions import new_name, open_reply_box, post, signed_up, went_live
from tests.e2e.conftest import NewPage

pytestmark = pytest.mark.browser


def mark_no_reload(page: Page) -> None:
    page.evaluate("window.__still_same_page = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__still_same_page === true"), "the page was reloaded"


def test_a_reply_appears_live_on_the_open_thread_and_in_notifications(
    new_page: NewPage,
) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    post(page_a, f"what do you think, {bob}?")
    post_id = page_a.locator(".post").first.get_attribute("data-post-id")
    assert post_id

    page_a.goto(f"/post/{post_id}")
    focus = page_a.locator(".thread-focus .post")
    expect(focus).to_contain_text("what do you think")
    went_live(page_a)  # the server drew the same note until then
    expect(page_a.get_by_text("No replies yet.")).to_be_visible()
    mark_no_reload(page_a)

    page_b.goto(f"/post/{post_id}")
    expect(page_b.locator(".thread-focus .post")).to_contain_text("what do you think")
    box = open_reply_box(page_b)  # the text area has the focus: typing goes there
    expect(box).to_have_accessible_name("Reply")
    page_b.keyboard.type("I think it is great")
    expect(page_b.locator(".chars-left")).to_contain_text("481")
    page_b.get_by_role("button", name="Reply", exact=True).click()
    expect(box).to_have_value("")
    expect(page_b.locator(".thread-replies .post")).to_contain_text("I think it is great")

    replies_a = page_a.locator(".thread-replies .post")
    expect(replies_a).to_have_count(1)
    expect(replies_a.first).to_contain_text("I think it is great")
    expect(replies_a.first).to_contain_text(bob)
    assert_not_reloaded(page_a)
    expect(page_a.get_by_label("unread notifications")).to_have_text("1")

    page_a.get_by_role("link", name="Notifications").click()
    line = page_a.locator(".notification[data-kind='reply']")
    expect(line).to_contain_text(f"{bob} replied to your post.")
    line.get_by_role("link").click()
    expect(page_a).to_have_url(re.compile(r"/post/\d+$"))
    assert not page_a.url.endswith(f"/post/{post_id}")  # the reply's thread, not the post's
    # The reply's own thread: what it answers above it.
    expect(page_a.locator(".thread-ancestors .post")).to_contain_text("what do you think")
    expect(page_a.locator(".thread-focus .post")).to_contain_text("I think it is great")


def test_unknown_post_and_a_tag_in_any_script(new_page: NewPage) -> None:
    page = new_page()
    page.goto("/post/999999999")
    expect(page.get_by_text("This post does not exist or was deleted.")).to_be_visible()
    page.goto("/tag/%E4%B8%AD%E6%96%87")
    expect(page.locator(".tag-heading")).to_have_text("#中文")
    went_live(page)
    expect(page.get_by_text("No posts with this tag yet.")).to_be_visible()
