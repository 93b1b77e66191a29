"""The user card on a name: built only when someone reaches for it, by pointer or keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage

pytestmark = pytest.mark.browser


def test_user_popup_opens_on_hover_and_on_focus_and_keeps_the_focus(new_page: NewPage) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    post(signed_up(new_page(), alice), f"card test by {alice}")
    page = signed_up(new_page(), bob)
    post(page, f"card test by {bob}")
    page.goto("/explore")
    alice_name = page.locator(".post", has_text=f"card test by {alice}").locator(".user-link")
    bob_name = page.locator(".post", has_text=f"card test by {bob}").locator(".user-link")
    expect(alice_name).to_have_text(alice)
    card = page.locator(".user-popup")
    # Nothing is built for names nobody has pointed at.
    expect(page.locator(".post .rt-HoverCardTrigger")).to_have_count(0)
    expect(card).to_have_count(0)

    # The keyboard: focusing the name opens the card, and the focus stays on the name.
    alice_name.focus()
    expect(card).to_contain_text(alice)
    expect(alice_name).to_be_focused()
    expect(card.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)

    # The pointer: the card follows the name it rests on, and closes when it leaves.
    bob_name.hover()
    expect(card).to_contain_text(bob)
    expect(card.get_by_role("button", name="Follow")).to_have_count(0)  # no Follow on yourself
    page.mouse.move(0, 0)
    expect(card).to_have_count(0)
    alice_name.hover()
    expect(card).to_contain_text(alice)
    card.get_by_role("button", name="Follow", exact=True).click()
    expect(card.get_by_role("button", name="Unfollow")).to_be_visible()
