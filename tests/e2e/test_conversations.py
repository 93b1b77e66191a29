"""Private messages as conversations, for two people in two browsers, with no reloads: a
message reaches the other's open list live and unread; opening the conversation reads it (the
badge goes, on every tab); a reply shows at once for its writer and arrives live at the
bottom of the other's open conversation, already read there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.actions import new_name, signed_up, went_live
from tests.e2e.conftest import NewPage
from tests.e2e.test_live import assert_not_reloaded, badge, mark_no_reload

pytestmark = pytest.mark.browser


def texts(page: Page) -> list[str]:
    """The messages of the open conversation, top to bottom, as a screen reader reads them."""
    return page.locator(".message .message-body").all_text_contents()


def test_a_conversation_between_two_people_live(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    page_b.goto("/messages")
    went_live(page_b)  # the server drew the same note until then
    expect(page_b.get_by_text("No conversations yet.")).to_be_visible()
    list_b = page_b.context.new_page()  # Bob's second tab keeps the list open
    list_b.goto("/messages")
    went_live(list_b)
    expect(list_b.get_by_text("No conversations yet.")).to_be_visible()
    for tab in (page_b, list_b):
        mark_no_reload(tab)

    # Alice goes from Bob's profile into their (empty) conversation and writes.
    page_a.goto(f"/user/{bob}")
    page_a.get_by_role("link", name="Send private message").click()
    expect(page_a).to_have_url(re.compile(rf"/messages/{bob}$"))
    expect(page_a.get_by_role("heading", name=bob)).to_be_visible()
    expect(page_a.get_by_text("No messages yet")).to_be_visible()
    mark_no_reload(page_a)
    page_a.get_by_label("Message").fill("Hi Bob, lunch?")
    page_a.get_by_role("button", name="Send").click()
    expect(page_a.locator(".message.mine")).to_have_text(re.compile("Hi Bob, lunch?"))
    expect(page_a.get_by_label("Message")).to_have_value("")

    # Bob's open lists show the conversation at once, unread; so does his badge.
    for tab in (page_b, list_b):
        row = tab.locator(".conversation", has_text=alice)
        expect(row).to_contain_text("Hi Bob, lunch?")
        expect(row.locator(".unread-count")).to_contain_text("1 unread message")
        expect(badge(tab, "messages")).to_have_text("1")

    # Bob opens it: Alice's message on her side, and the badge goes on every tab.
    page_b.locator(".conversation", has_text=alice).click()
    expect(page_b).to_have_url(re.compile(rf"/messages/{alice}$"))
    expect(page_b.locator(".message.theirs")).to_contain_text("Hi Bob, lunch?")
    for tab in (page_b, list_b):
        expect(badge(tab, "messages")).to_have_count(0)
    expect(list_b.locator(".conversation", has_text=alice).locator(".unread-count")).to_have_count(
        0
    )

    # Bob replies: at once at the bottom of his page, and live at the bottom of Alice's.
    page_b.get_by_label("Message").fill("Sure, noon!")
    page_b.get_by_role("button", name="Send").click()
    expect(page_b.locator(".message").last).to_contain_text("Sure, noon!")
    expect(page_b.locator(".message").last).to_have_class(re.compile(r"\bmine\b"))
    expect(page_a.locator(".message").last).to_contain_text("Sure, noon!")
    expect(page_a.locator(".message").last).to_have_class(re.compile(r"\btheirs\b"))
    # Oldest at the top, and who said what is said to screen readers too.
    assert texts(page_a) == ["You: Hi Bob, lunch?", f"{bob}: Sure, noon!"]
    # Alice has it open, so it is read there: her notification comes, her message badge not.
    expect(badge(page_a, "notifications")).to_have_text("1")
    expect(badge(page_a, "messages")).to_have_count(0)
    # Bob's list moved on too.
    expect(list_b.locator(".conversation", has_text=alice)).to_contain_text("You: Sure, noon!")

    # Alice's list, opened now, agrees: nothing unread, Bob's reply on top.
    page_a.get_by_role("link", name="All messages").click()
    row = page_a.locator(".conversation", has_text=bob)
    expect(row).to_contain_text("Sure, noon!")
    expect(row.locator(".unread-count")).to_have_count(0)

    for tab in (page_a, page_b, list_b):
        assert_not_reloaded(tab)


def test_the_old_send_message_address_leads_to_the_conversation(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    signed_up(new_page(), bob)
    page_a = signed_up(new_page(), alice)
    page_a.goto(f"/send_message/{bob}")
    expect(page_a).to_have_url(re.compile(rf"/messages/{bob}$"))
    expect(page_a.get_by_role("heading", name=bob)).to_be_visible()
    expect(page_a.get_by_label("Message")).to_be_visible()
