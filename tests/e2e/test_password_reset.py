"""Forgot your password, end to end: the email really goes through an SMTP server, the link in it
works once, and while the mail server is down everyone gets the usual answer and the email
arrives once it is back (the email outbox)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.actions import PASSWORD, log_in, new_name, register
from tests.e2e.conftest import NewPage, RunningApp
from tests.smtp import SmtpSink

pytestmark = pytest.mark.browser

SENT = "If that address belongs to an account, we have sent it a link"


def ask_for_reset(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Click to Reset It").click()
    expect(page.get_by_role("heading", name="Reset Password")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Request Password Reset").click()


def reset_link(app_mail: SmtpSink, email: str) -> str:
    """The link in the password-reset email to `email` (not its registration's confirmation)."""

    def resets(got: list) -> list:
        return [m for m in got if m["To"] == email and "Reset" in m["Subject"]]

    (message,) = resets(app_mail.wait_for(lambda got: bool(resets(got))))
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"http://\S+/reset_password/\S+", text)
    assert found, text
    return found.group(0)


def test_reset_by_email_link_then_log_in_and_the_link_is_dead(
    new_page: NewPage, live_app: RunningApp, app_mail: SmtpSink
) -> None:
    name = new_name("forgetful")
    email = f"{name}@example.com"
    page = new_page()
    register(page, name)

    ask_for_reset(page, email)
    expect(page.get_by_text(SENT)).to_be_visible()

    link = reset_link(app_mail, email)
    assert link.startswith(live_app.frontend)

    page.goto(link)
    page.get_by_label("New password", exact=True).fill("a whole new secret")
    page.get_by_label("Repeat new password").fill("a whole new secret")
    page.get_by_role("button", name="Set New Password").click()
    expect(page).to_have_url(re.compile(r"/login\?reset=1$"))
    expect(page.get_by_text("Your password has been reset.")).to_be_visible()

    log_in(page, name, PASSWORD)
    expect(page.get_by_text("Invalid username or password")).to_be_visible()
    log_in(page, name, "a whole new secret")
    expect(page.get_by_role("heading", name=f"Hi, {name}!")).to_be_visible()

    page.goto(link)
    expect(page.get_by_text("invalid or has expired")).to_be_visible()
    expect(page.get_by_label("New password", exact=True)).to_have_count(0)


def test_unknown_address_gets_the_same_answer_and_no_email(
    new_page: NewPage, app_mail: SmtpSink
) -> None:
    page = new_page()
    email = f"{new_name('nobody')}@example.com"
    ask_for_reset(page, email)
    expect(page.get_by_text(SENT)).to_be_visible()
    assert all(m["To"] != email for m in app_mail.messages)


def test_mail_server_down_answers_as_usual_and_the_email_comes_later(
    new_page: NewPage, app_mail: SmtpSink
) -> None:
    name = new_name("unlucky")
    page = new_page()
    register(page, name)
    app_mail.stop()
    try:
        for email in (f"{name}@example.com", f"{new_name('ghost')}@example.com"):
            ask_for_reset(page, email)
            expect(page.get_by_text(SENT)).to_be_visible()
            expect(page.get_by_role("alert")).to_have_count(0)
    finally:
        app_mail.start()
    # Back up: the email queued while it was down arrives (retried within seconds here).
    app_mail.wait_for(
        lambda got: any(m["To"] == f"{name}@example.com" and "Reset" in m["Subject"] for m in got),
        timeout=60,
    )
