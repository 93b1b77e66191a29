"""Search in the browser: the navbar box, a typo that still finds the post, the highlighted
match (escaped, never markup), a user found by name, the empty state, and deleting a post."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.e2e.actions import log_in, new_name, post, register
from tests.e2e.conftest import NewPage

pytestmark = pytest.mark.browser


def test_search_finds_posts_with_a_typo_and_users_by_name(new_page: NewPage) -> None:
    author = new_name("quill")
    page = new_page()
    register(page, author)
    log_in(page, author)
    expect(page.get_by_role("heading", name=f"Hi, {author}!")).to_be_visible()

    # A made-up word, so only this post can match; plus markup that must stay text.
    word = "zephyr" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(4))
    post(page, f"Watching the {word} sunrise <b>bold</b>")

    typo = word[:3] + word[4] + word[3] + word[5:]  # two letters swapped: one edit
    box = page.get_by_role("searchbox", name="Search")
    box.fill(typo)
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/search\?q={typo}$"))
    expect(page.locator(".search-summary")).to_have_text(f"1 post matches “{typo}”")
    result = page.locator(".post").first
    expect(result).to_contain_text(f"Watching the {word} sunrise <b>bold</b>")
    expect(result.locator("mark.search-hit")).to_have_text(word)
    expect(result.locator("b")).to_have_count(0)  # the body's markup stayed text

    # Users by name: the author shows above the posts.
    page.goto(f"/search?q={author}")
    expect(page.locator(".search-users")).to_contain_text(author)

    # An honest empty state.
    page.goto("/search?q=qqqqxqqqq")
    expect(page.locator(".search-empty")).to_contain_text("Nothing matches “qqqqxqqqq”")
    expect(page.locator(".search-summary")).to_have_count(0)

    # Deleting the post (from the home feed) removes it from the results too.
    page.goto("/")
    mine = page.locator(".post").filter(has_text=word)
    mine.get_by_role("button", name="Delete this post").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()  # confirmed
    expect(page.locator(".post").filter(has_text=word)).to_have_count(0)
    page.goto(f"/search?q={word}")
    expect(page.locator(".search-empty")).to_contain_text(f"Nothing matches “{word}”")
