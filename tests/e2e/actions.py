"""What a person does in the browser, shared by the browser tests."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

PASSWORD = "correct horse battery"


def new_name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(3)}"


def register(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(re.compile(r"/login\?registered=1$"))
    expect(page.get_by_text("Congratulations, you are now a registered user!")).to_be_visible()


def log_in(page: Page, login: str, password: str = PASSWORD, remember: bool = False) -> None:
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password").fill(password)
    if remember:
        page.get_by_label("Remember me").check()
    page.get_by_role("button", name="Sign In").click()


def post(page: Page, text: str) -> None:
    page.get_by_label("Say something").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator(".post").first).to_contain_text(text)
    expect(page.get_by_label("Say something")).to_have_value("")


def signed_up(page: Page, username: str) -> Page:
    """A new user, registered and logged in, on their home page."""
    register(page, username)
    log_in(page, username)
    expect(page.get_by_role("heading", name=f"Hi, {username}!")).to_be_visible()
    return page
