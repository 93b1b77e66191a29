"""Live by default: what one user does reaches the other user's open pages without a reload.

Two browser contexts are two people. Every wait is for a condition on the page; a reload would
defeat the point, so the tests check that none happened (a marker set on `window` survives).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import ADMIN_USERNAME, NewPage

pytestmark = pytest.mark.browser


def mark_no_reload(page: Page) -> None:
    page.evaluate("window.__still_same_page = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__still_same_page === true"), "the page was reloaded"


def badge(page: Page, what: str):
    return page.get_by_label(f"unread {what}")


def send_message(page: Page, to: str, text: str) -> None:
    """From `to`'s profile into the conversation with them, and send: the message shows at
    once at the bottom of the conversation, as the sender's."""
    page.goto(f"/user/{to}")
    page.get_by_role("link", name="Send private message").click()
    expect(page.get_by_role("heading", name=to)).to_be_visible()
    page.get_by_label("Message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".message.mine").last).to_contain_text(text)
    expect(page.get_by_label("Message")).to_have_value("")


def test_message_badge_appears_on_every_tab_and_clears_when_read(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    second_tab_b = page_b.context.new_page()
    second_tab_b.goto("/explore")
    expect(second_tab_b.get_by_role("heading", name="Explore")).to_be_visible()
    for tab in (page_b, second_tab_b):
        mark_no_reload(tab)
        expect(badge(tab, "messages")).to_have_count(0)

    send_message(page_a, bob, "psst, lunch at noon?")

    for tab in (page_b, second_tab_b):
        expect(badge(tab, "messages")).to_have_text("1")
        expect(badge(tab, "notifications")).to_have_text("1")
        assert_not_reloaded(tab)

    # The badge comes from the database, not from the stream: a new tab shows the same.
    third_tab_b = page_b.context.new_page()
    third_tab_b.goto("/explore")
    expect(badge(third_tab_b, "messages")).to_have_text("1")

    page_b.get_by_role("link", name="Messages").click()
    conversation = page_b.locator(".conversation").first
    expect(conversation).to_contain_text("psst, lunch at noon?")
    expect(conversation).to_contain_text(alice)
    expect(badge(second_tab_b, "messages")).to_have_text("1")  # the list reads nothing
    # Reading the conversation in one tab clears the badge in the other, without a reload.
    conversation.click()
    expect(page_b.locator(".message").first).to_contain_text("psst, lunch at noon?")
    expect(badge(second_tab_b, "messages")).to_have_count(0)
    assert_not_reloaded(second_tab_b)

    # While the conversation is open, a new message shows up in it, already read.
    mark_no_reload(page_b)
    send_message(page_a, bob, "and coffee after")
    expect(page_b.locator(".message").last).to_contain_text("and coffee after")
    expect(badge(second_tab_b, "messages")).to_have_count(0)
    assert_not_reloaded(page_b)


def test_followed_users_posts_show_a_new_posts_bar(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a = signed_up(new_page(), alice)
    page_b = signed_up(new_page(), bob)
    post(page_a, f"hello, I am {alice}")

    # Bob follows Alice from the popup on her post in Explore.
    page_b.goto("/explore")
    page_b.locator(".post", has_text=f"hello, I am {alice}").get_by_text(alice).first.hover()
    popup = page_b.locator(".user-popup")
    expect(popup).to_contain_text(alice)
    expect(popup.get_by_text("0", exact=True).first).to_be_visible()
    popup.get_by_role("button", name="Follow", exact=True).click()
    expect(popup.get_by_role("button", name="Unfollow")).to_be_visible()

    page_b.goto("/")
    expect(page_b.locator(".post").first).to_contain_text(f"hello, I am {alice}")
    mark_no_reload(page_b)
    explore_b = page_b.context.new_page()
    explore_b.goto("/explore")
    expect(explore_b.locator(".post").first).to_be_visible()

    fresh = f"fresh news from {alice}"
    post(page_a, fresh)

    bar = page_b.get_by_role("button", name="Show 1 new post")
    expect(bar).to_be_visible()
    expect(explore_b.get_by_role("button", name="Show 1 new post")).to_be_visible()
    expect(page_b.get_by_text(fresh)).to_have_count(0)  # shown only when asked for
    bar.click()
    expect(page_b.locator(".post").first).to_contain_text(fresh)
    expect(bar).to_have_count(0)
    assert_not_reloaded(page_b)

    # Someone Bob does not follow posts: his home feed shows no bar (Explore does).
    carol = new_name("carol")
    page_c = signed_up(new_page(), carol)
    post(page_c, f"{carol} was here")
    expect(explore_b.get_by_role("button", name="Show 2 new posts")).to_be_visible()
    expect(page_b.get_by_role("button", name="new post")).to_have_count(0)
    # Alice was told, live, that Bob follows her now.
    expect(badge(page_a, "notifications")).to_have_text("1")


def test_announcement_reaches_open_pages_and_stays_dismissed(new_page: NewPage) -> None:
    reader = signed_up(new_page(), new_name("reader"))
    reader.goto("/explore")
    mark_no_reload(reader)
    admin = signed_up(new_page(), ADMIN_USERNAME)
    admin.get_by_role("link", name="Announce").click()
    text = f"Maintenance tonight {new_name('#')}"
    admin.get_by_label("Announcement for everyone").fill(text)
    admin.get_by_role("button", name="Publish announcement").click()

    banner = reader.locator(".announcement")
    expect(banner).to_contain_text(text)
    assert_not_reloaded(reader)
    # The banner shows on every page: readable in both schemes (amber text on amber was 4.24:1).
    for scheme in ("light", "dark"):
        reader.emulate_media(color_scheme=scheme)
        found = Axe().run(reader, context={"include": [[".announcement"]]})
        assert found.violations_count == 0, f"{scheme}: {found.generate_report()}"
    reader.get_by_role("button", name="Dismiss announcement").click()
    expect(banner).to_have_count(0)
    reader.reload()
    expect(reader.get_by_role("heading", name="Explore")).to_be_visible()
    # The feed has loaded (its on_load ran with the banner's), and the banner stays away.
    loaded = reader.locator(".post-list").or_(reader.get_by_text("No posts yet."))
    expect(loaded.first).to_be_visible()
    expect(banner).to_have_count(0)
    # It stays in the reader's notifications, and someone arriving later still sees the banner.
    reader.get_by_role("link", name="Notifications").click()
    expect(reader.locator(".notification").first).to_contain_text(text)
    later = signed_up(new_page(), new_name("later"))
    expect(later.locator(".announcement")).to_contain_text(text)


def test_non_admin_cannot_announce(new_page: NewPage) -> None:
    page = signed_up(new_page(), new_name("plain"))
    expect(page.get_by_role("link", name="Announce")).to_have_count(0)
    page.goto("/announcements")
    expect(page.get_by_text("Only administrators can post announcements.")).to_be_visible()
