"""Registration when the site sends real email (the app under test has a real SMTP server):
the account works once the link sent to the address is opened, and the form answers a
registered address exactly as a new one, while the address's owner is told by email."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.actions import (
    CHECK_EMAIL,
    PASSWORD,
    confirmation_link,
    log_in,
    new_name,
    register,
    submit_registration,
)
from tests.e2e.conftest import NewPage
from tests.smtp import SmtpSink

pytestmark = pytest.mark.browser


def test_register_confirm_by_email_then_log_in(new_page: NewPage, app_mail: SmtpSink) -> None:
    name = new_name("newcomer")
    email = f"{name}@example.com"
    page = new_page()
    submit_registration(page, name, email)
    expect(page.get_by_text(CHECK_EMAIL)).to_be_visible()
    expect(page.get_by_label("Username")).to_have_count(0)  # the form gave way to the notice

    page.goto("/login")
    log_in(page, name, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Please confirm your email address first")
    page.get_by_role("button", name="Send the confirmation link again").click()
    expect(page.get_by_text("We sent you a confirmation link a moment ago")).to_be_visible()

    link = confirmation_link(email)
    page.goto(link)
    expect(page.get_by_text("Your email address is confirmed. You can log in now.")).to_be_visible()
    page.get_by_role("link", name="Sign in").first.click()
    expect(page).to_have_url(re.compile(r"/login$"))
    log_in(page, name, PASSWORD)
    expect(page.get_by_role("heading", name=f"Hi, {name}!")).to_be_visible()

    page.goto(link)  # single use
    expect(page.get_by_role("alert")).to_contain_text("has been used")


def test_a_registered_address_gets_the_same_answer(new_page: NewPage, app_mail: SmtpSink) -> None:
    owner = new_name("owner")
    register(new_page(), owner)  # confirmed through its link

    answers = []
    for username, email in (
        (new_name("fresh"), f"{new_name('fresh')}@example.com"),
        (new_name("squat"), f"{owner.upper()}@example.com"),
    ):
        page = new_page()
        submit_registration(page, username, email)
        expect(page.get_by_text(CHECK_EMAIL)).to_be_visible()
        answers.append((page.url, page.locator("body").inner_text()))
    assert answers[0] == answers[1]
    assert "already registered" not in answers[1][1]

    # The owner is told, once.
    app_mail.wait_for(
        lambda got: any(
            m["To"] == f"{owner}@example.com" and "Someone tried" in m["Subject"] for m in got
        )
    )
