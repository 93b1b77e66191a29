"""What a person does in the browser: register, log in, post, follow, read feeds, log out."""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from microblog.config import get_settings
from tests.e2e.actions import log_in, new_name, post, register
from tests.e2e.conftest import NewPage, RunningApp

pytestmark = pytest.mark.browser


def test_two_users_post_follow_and_read_each_other(new_page: NewPage, live_app: RunningApp) -> None:
    alice, bob = new_name("alice"), new_name("bob")
    page_a, page_b = new_page(), new_page()

    register(page_a, alice)
    log_in(page_a, alice)
    expect(page_a.get_by_role("heading", name=f"Hi, {alice}!")).to_be_visible()
    cookie = next(c for c in page_a.context.cookies() if c["name"] == live_app.cookie_name)
    assert cookie["httpOnly"] is True, "the session token must be out of reach of page scripts"
    assert cookie["expires"] == -1, "without 'remember me' the cookie ends with the browser"

    register(page_b, bob)
    log_in(page_b, f"{bob}@example.com", remember=True)  # by email this time
    expect(page_b.get_by_role("heading", name=f"Hi, {bob}!")).to_be_visible()
    cookie_b = next(c for c in page_b.context.cookies() if c["name"] == live_app.cookie_name)
    assert cookie_b["expires"] > 0, "'remember me' keeps the login after the browser closes"

    bob_says = f"Hello from {bob} {secrets.token_hex(2)}"
    post(page_b, bob_says)
    post(page_a, f"First post by {alice}")

    # Alice does not follow Bob yet: his post is not on her home feed.
    page_a.goto("/")
    expect(page_a.locator(".post").first).to_be_visible()
    expect(page_a.get_by_text(bob_says)).to_have_count(0)

    page_a.goto(f"/user/{bob}")
    expect(page_a.locator(".profile-username")).to_have_text(bob)
    # Last seen, said as the user card says it; the full date is the time's tip.
    expect(page_a.locator(".last-seen")).to_have_text(re.compile(r"^Last seen (.+ ago|just now)$"))
    expect(page_a.locator(".followers-count")).to_have_text("0")
    page_a.get_by_role("button", name="Follow", exact=True).click()
    expect(page_a.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(page_a.locator(".followers-count")).to_have_text("1")

    page_a.get_by_role("link", name="Home").click()
    expect(page_a.get_by_text(bob_says)).to_be_visible()

    # Bob sees Alice among his followers.
    page_b.goto(f"/user/{bob}?tab=followers")
    expect(page_b.locator(".person")).to_contain_text(alice)

    page_a.goto(f"/user/{bob}")
    page_a.get_by_role("button", name="Unfollow").click()
    expect(page_a.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    expect(page_a.locator(".followers-count")).to_have_text("0")
    page_a.goto("/")
    expect(page_a.locator(".post").first).to_be_visible()
    expect(page_a.get_by_text(bob_says)).to_have_count(0)

    # Explore shows everyone's posts.
    page_a.goto("/explore")
    expect(page_a.get_by_text(bob_says)).to_be_visible()

    page_a.get_by_role("link", name="Log out").click()
    expect(page_a.get_by_role("link", name="Log in")).to_be_visible()
    assert not any(c["name"] == live_app.cookie_name for c in page_a.context.cookies())
    page_a.goto("/")
    expect(page_a).to_have_url(re.compile(r"/login\?next=%2F$"))


def test_login_required_page_returns_via_next(new_page: NewPage) -> None:
    user = new_name("carol")
    page = new_page()
    register(page, user)
    page.goto("/edit_profile")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fedit_profile$"))
    log_in(page, user)
    expect(page).to_have_url(re.compile(r"/edit_profile$"))
    about = page.get_by_label("About me")
    about.fill("I test things in real browsers.")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(re.compile(rf"/user/{user}$"))
    expect(page.locator(".about-me")).to_have_text("I test things in real browsers.")


@pytest.mark.parametrize(
    "target", ["//evil.example/steal", "https://evil.example/", "/\\evil.example"]
)
def test_next_pointing_off_site_is_ignored(
    new_page: NewPage, live_app: RunningApp, target: str
) -> None:
    user = new_name("dave")
    page = new_page()
    register(page, user)
    page.goto(f"/login?next={quote(target, safe='')}")
    log_in(page, user)
    expect(page.get_by_role("heading", name=f"Hi, {user}!")).to_be_visible()
    landed = urlsplit(page.url)
    assert (landed.netloc, landed.path) == (urlsplit(live_app.frontend).netloc, "/")


def test_failed_login_says_only_invalid(new_page: NewPage) -> None:
    user = new_name("erin")
    page = new_page()
    register(page, user)
    log_in(page, user, password="not the password")
    expect(page.get_by_role("alert")).to_have_text("Invalid username or password")
    log_in(page, new_name("nobody"), password="whatever123")
    expect(page.get_by_role("alert")).to_have_text("Invalid username or password")
    expect(page).to_have_url(re.compile(r"/login"))


def test_bad_registration_shows_field_errors_and_keeps_input(new_page: NewPage) -> None:
    taken = new_name("frank")
    page = new_page()
    register(page, taken)
    page.goto("/register")
    page.get_by_label("Username").fill(taken.upper())
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat password").fill("short")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#field-username-error")).to_contain_text("taken")
    expect(page.locator("#field-email-error")).to_contain_text("valid email")
    expect(page.locator("#field-password-error")).to_contain_text("at least 8")
    expect(page.get_by_label("Username")).to_have_value(taken.upper())
    expect(page).to_have_url(re.compile(r"/register$"))

    # A name that only looks like a taken one (capital I for l) is refused beside the field.
    register(page, taken + "l")
    page.goto("/register")
    page.get_by_label("Username").fill(taken + "I")
    page.get_by_label("Email").fill(f"{taken}-i@example.org")
    page.get_by_label("Password", exact=True).fill("long enough password")
    page.get_by_label("Repeat password").fill("long enough password")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#field-username-error")).to_contain_text("looks too much like")
    expect(page).to_have_url(re.compile(r"/register$"))


def test_unknown_user_and_unknown_route_show_not_found(new_page: NewPage) -> None:
    page = new_page()
    page.goto(f"/user/{new_name('ghost')}")
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()
    expect(page.get_by_text("There is no user with that name.")).to_be_visible()
    page.goto("/no/such/page")
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()


def test_post_form_counts_characters_and_refuses_too_long(new_page: NewPage) -> None:
    user = new_name("gina")
    page = new_page()
    register(page, user)
    log_in(page, user)
    box = page.get_by_label("Say something")
    most = get_settings().post_max_length
    box.fill("x" * (most + 10))
    expect(page.locator(".chars-left")).to_have_text("-10 characters left")
    expect(page.get_by_role("button", name="Post", exact=True)).to_be_disabled()
    # A link counts as 23 characters however long it is, as the server counts it.
    link = "https://example.com/" + "a" * 100
    box.fill(link + " " + "y" * (most - 24))
    expect(page.locator(".chars-left")).to_have_text("0 characters left")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator(".post").first).to_contain_text("y" * (most - 24))
