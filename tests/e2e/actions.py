"""What a person does in the browser, shared by the browser tests."""

from __future__ import annotations

import re
import secrets
from typing import Protocol
from weakref import WeakKeyDictionary

from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlmodel import Session

from microblog.db import make_engine
from microblog.services.accounts import create_user
from tests.smtp import SmtpSink
from tests.tab_state import session_token

PASSWORD = "correct horse battery"
CHECK_EMAIL = "Thank you! We have sent an email to the address you gave."

# The SMTP server of the app under test (tests/e2e/conftest.py sets it): the app sends real
# email, so a new account is confirmed through the link it receives.
mailbox: SmtpSink | None = None


class AppUnderTest(Protocol):
    """What `signed_up` needs of an app the tests started (tests/e2e/conftest.py RunningApp)."""

    frontend: str
    database_url: str
    cookie_name: str


# The app each browser context was opened on, where the fixture that opened it says so.
_APPS: WeakKeyDictionary[BrowserContext, AppUnderTest] = WeakKeyDictionary()


def opened_on(context: BrowserContext, app: AppUnderTest) -> BrowserContext:
    """Remember that `context` talks to `app`, so that `signed_up` can make its accounts there
    directly."""
    _APPS[context] = app
    return context


def new_name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(3)}"


def submit_registration(page: Page, username: str, email: str, password: str = PASSWORD) -> None:
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Register").click()


def confirmation_link(email: str) -> str:
    """The link in the newest confirmation email to `email`."""
    assert mailbox is not None

    def confirmations(messages: list) -> list:
        return [m for m in messages if m["To"] == email and "Confirm" in m["Subject"]]

    message = confirmations(mailbox.wait_for(lambda got: bool(confirmations(got)), 30))[-1]
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/confirm/\S+", text).group(0)


def register(page: Page, username: str, password: str = PASSWORD) -> None:
    """Register, and where the app confirms addresses by email (it has a mail server), open
    the link it sends, as its owner would."""
    email = f"{username}@example.com"
    submit_registration(page, username, email, password)
    sent, welcome = page.get_by_text(CHECK_EMAIL), page.get_by_text("Congratulations")
    expect(sent.or_(welcome)).to_be_visible()
    if welcome.count():
        expect(page).to_have_url(re.compile(r"/login\?registered=1$"))
        return
    page.goto(confirmation_link(email))
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    page.goto("/login")


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


def open_reply_box(page: Page) -> Locator:
    """Open a thread's reply box, as a reader does: its opener (in any language) is replaced by
    the form, whose text area takes the focus. Returns the text area."""
    page.locator(".reply-opener:not([aria-disabled])").click()
    box = page.locator("textarea#field-reply")
    expect(box).to_be_focused()
    return box


def went_live(page: Page) -> None:
    """Wait until the page has hydrated and its own state drew it: the server's first paint
    of the navbar and of the page are gone. Before that the feed may not have loaded yet, so
    a post made then shows up in the loaded list instead of as a new post to show."""
    expect(page.locator(".nav-first-paint")).to_have_count(0)
    expect(page.locator(".feed-first-paint:not(:empty)")).to_have_count(0)
    expect(page.locator(".page-loading")).to_be_hidden()


def signed_up(page: Page, username: str) -> Page:
    """A new user, signed in, on their home page.

    On a context opened on one of the tests' apps (`opened_on`), the account is made as the
    operator makes one (services/accounts.py `create_user`: the registration form's rules, the
    address taken as confirmed) and the browser is given the session cookie that logging in
    gives it: one page load instead of four and an email, in the many tests that only need
    someone signed in. Registering and logging in through the pages are tested on their own
    (test_registration.py, test_journeys.py); elsewhere this does both, as a person would."""
    app = _APPS.get(page.context)
    if app is None:
        register(page, username)
        log_in(page, username)
    else:
        engine = make_engine(app.database_url)
        try:
            with Session(engine) as session:
                user = create_user(
                    session, username=username, email=f"{username}@example.com", password=PASSWORD
                )
                session.commit()
                token = session_token(session, user)
        finally:
            engine.dispose()
        page.context.add_cookies(
            [{"name": app.cookie_name, "value": token, "url": app.frontend, "httpOnly": True}]
        )
        page.goto("/")
    expect(page.get_by_role("heading", name=f"Hi, {username}!")).to_be_visible()
    return page
