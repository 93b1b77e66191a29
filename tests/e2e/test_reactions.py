"""Likes, boosts, edits and deletes reach every open page showing the post, without a reload.

Two browser contexts are two people: Alice writes on her home page, Bob reads Explore. Every
wait is for a condition on the page; `window.__still_same_page` proves no reload happened.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage

pytestmark = pytest.mark.browser


def _mark_no_reload(page: Page) -> None:
    page.evaluate("window.__still_same_page = true")


def _not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__still_same_page === true"), "the page was reloaded"


def _counts(card: Locator, like: str, boost: str) -> None:
    expect(card.locator(".post-like .post-action-count")).to_have_text(like)
    expect(card.locator(".post-boost .post-action-count")).to_have_text(boost)


def test_reactions_edits_and_deletes_reach_the_other_page_live(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    text = f"Conversations are live, says {alice}"
    post(page_a, text)
    page_b = signed_up(new_page(), bob)
    page_b.goto("/explore")
    expect(page_b.locator(".post-list .post", has_text=text)).to_be_visible()
    post_id = page_b.locator(".post-list .post", has_text=text).get_attribute("data-post-id")
    # The card by its entry (the post itself, not a boost of it), whatever its text becomes.
    card_a = page_a.locator(f'.post-list .post[data-entry-id="{post_id}"]')
    card_b = page_b.locator(f'.post-list .post[data-entry-id="{post_id}"]')
    _counts(card_a, "0", "0")
    for page in (page_a, page_b):
        _mark_no_reload(page)

    # Bob likes and boosts: his buttons are pressed, Alice's page counts them.
    like_b = card_b.get_by_role("button", name=re.compile(r"^Like"))
    expect(like_b).to_have_attribute("aria-pressed", "false")
    like_b.click()
    expect(like_b).to_have_attribute("aria-pressed", "true")
    boost_b = card_b.get_by_role("button", name=re.compile(r"^Boost"))
    boost_b.focus()
    page_b.keyboard.press("Enter")  # the keyboard works as the mouse does
    expect(boost_b).to_have_attribute("aria-pressed", "true")
    _counts(card_b, "1", "1")
    _counts(card_a, "1", "1")
    # Alice's own buttons stay hers: she pressed nothing.
    expect(card_a.locator(".post-like")).to_have_attribute("aria-pressed", "false")

    like_b.click()  # unlike
    expect(like_b).to_have_attribute("aria-pressed", "false")
    _counts(card_a, "0", "1")

    # Alice edits her post: an over-long text is refused by the counter, then she saves.
    card_a.get_by_role("button", name="Edit this post").click()
    box = page_a.get_by_label("Edit your post")
    expect(box).to_have_value(text)
    box.fill("x" * 600)
    expect(card_a.get_by_role("button", name="Save")).to_be_disabled()
    edited = f"{text}, and edited"
    box.fill(edited)
    card_a.get_by_role("button", name="Save").click()
    expect(box).to_have_count(0)
    expect(card_a.locator(".post-body")).to_have_text(edited)

    expect(card_b.locator(".post-body")).to_have_text(edited)
    marker = card_b.locator(".post-edited")
    expect(marker).to_contain_text("edited")
    marker.click()
    history = page_b.get_by_role("dialog", name="Edit history")
    expect(history.locator(".post-version")).to_have_count(2)
    expect(history.locator(".post-version").first).to_contain_text(edited)
    expect(history.locator(".post-version").last).to_contain_text(text)
    page_b.keyboard.press("Escape")
    expect(history).to_have_count(0)

    # Alice deletes it, after confirming; it leaves Bob's page too.
    card_a.get_by_role("button", name="Delete this post").click()
    confirm = page_a.get_by_role("alertdialog", name="Delete this post?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(card_a).to_be_visible()
    card_a.get_by_role("button", name="Delete this post").click()
    confirm.get_by_role("button", name="Delete").click()
    expect(card_a).to_have_count(0)
    expect(card_b).to_have_count(0)
    for page in (page_a, page_b):
        _not_reloaded(page)


def test_a_visitor_sees_the_counts_and_is_asked_to_log_in(new_page: NewPage) -> None:
    alice = new_name("alice")
    page_a = signed_up(new_page(), alice)
    text = f"Visitors may look, says {alice}"
    post(page_a, text)
    page_a.locator(".post-list .post", has_text=text).locator(".post-like").click()

    visitor = new_page()
    visitor.goto("/explore")
    card = visitor.locator(".post-list .post", has_text=text)
    _counts(card, "1", "0")
    expect(card.get_by_role("button", name="Edit this post")).to_have_count(0)
    card.get_by_role("button", name=re.compile(r"^Like")).click()
    expect(visitor).to_have_url(re.compile(r"/login\?next=%2Fexplore$"))
