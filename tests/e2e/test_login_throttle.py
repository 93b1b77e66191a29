"""Password guessing in the browser: after five free failures the form holds this address, says
for how long, and refuses even the right password until the wait is over."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.actions import PASSWORD, log_in, new_name, register
from tests.e2e.conftest import NewPage

pytestmark = pytest.mark.browser

TOO_MANY = re.compile(r"^Too many failed attempts\. Try again in \d+ seconds?\.$")


def test_repeated_wrong_passwords_hold_the_form(new_page: NewPage) -> None:
    user = new_name("gina")
    page = new_page()
    register(page, user)
    alert = page.get_by_role("alert")
    for attempt in range(1, 7):
        log_in(page, user, password=f"guess number {attempt}")
        expect(alert).to_have_text("Invalid username or password")
    # The sixth failure costs a 2-second wait: the right password, sent at once, is not checked.
    log_in(page, user, password=PASSWORD)
    expect(alert).to_have_text(TOO_MANY)
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_label("Username or email")).to_have_value(user)
