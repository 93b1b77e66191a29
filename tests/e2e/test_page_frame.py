"""The page frame (components/layout.py, navbar.py) in the production build, the one that
prerenders pages: full loads in Spanish and Chinese hydrate the English HTML without a mismatch
and then show the language, `<html lang>` follows it; every page has its landmarks, one `<h1>`
and a skip link; no page is wider than a phone; the phone's menu works by keyboard; the desktop
navbar is one row; the navbar passes axe in light and dark. Screenshots: tests/e2e/looks.py."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session

from microblog.db import make_engine
from microblog.services.messages import send_message
from microblog.services.users import get_user_by_username
from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import RunningApp, running_app
from tests.e2e.looks import assert_no_axe_violations, assert_no_overflow, screenshot_dir

pytestmark = pytest.mark.browser

ADMIN = f"boss{secrets.token_hex(3)}"
HOME = {"en": "Home", "es": "Inicio", "zh": "首页"}
HTML_LANG = {"en": "en", "es": "es", "zh": "zh-Hans"}
LANGS = ("en", "es", "zh")
PHONE_WIDTHS = (320, 390, 768)
DESKTOP_WIDTHS = (1280, 1920)


def _viewport(width: int) -> dict[str, int]:
    """A phone or tablet held upright, or a laptop's or desktop's window."""
    return {"width": width, "height": 844 if width in PHONE_WIDTHS else 800}


@pytest.fixture(scope="module")
def prod_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    environment = {
        "MICROBLOG_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "API_REGISTER_RATE_LIMIT": "1000/3600",  # every test registers from 127.0.0.1
        # The widest signed-in navbar has the administrator's Announce link.
        "ADMINS": f"{ADMIN}@example.com",
    }
    work = tmp_path_factory.mktemp("frame")
    with running_app(work, env_mode="prod", extra_env=lambda _port: environment) as app:
        yield app


class Site:
    """Two users with a post and a conversation, and the admin's signed-in browser context."""

    def __init__(self, app: RunningApp, context: BrowserContext, other: str, post_path: str):
        self.app, self.context, self.other, self.post_path = app, context, other, post_path

    def signed_in_pages(self) -> list[str]:
        return [
            "/",
            "/explore",
            f"/user/{ADMIN}",
            f"/user/{self.other}",
            "/edit_profile",
            "/messages",
            f"/messages/{self.other}",
            "/notifications",
            "/announcements",
            "/moderation",
            "/search?q=frame",
            self.post_path,
            "/tag/frame",
        ]

    def signed_out_pages(self) -> list[str]:
        return [
            "/login",
            "/register",
            "/reset_password_request",
            "/explore",
            f"/user/{self.other}",
            self.post_path,
            "/search?q=frame",
            "/tag/frame",
        ]


def _watch(page: Page, errors: list[str]) -> Page:
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}")
            if message.type == "error" and "ERR_NAME_NOT_RESOLVED" not in message.text
            else None
        ),
    )
    return page


@pytest.fixture(scope="module")
def site(browser: Browser, prod_app: RunningApp) -> Iterator[Site]:
    other = new_name("ann")
    writer = browser.new_context(base_url=prod_app.frontend)
    writer.set_default_timeout(30_000)
    signed_up(writer.new_page(), other)
    writer.close()
    context = browser.new_context(base_url=prod_app.frontend)
    context.set_default_timeout(30_000)
    page = signed_up(context.new_page(), ADMIN)
    post(page, "A post about the page #frame")
    post_path = page.locator(".post").first.get_by_role("link", name="Reply").get_attribute("href")
    engine = make_engine(prod_app.database_url)
    try:
        with Session(engine) as db:
            sender = get_user_by_username(db, other)
            assert sender and sender.id
            send_message(db, sender_id=sender.id, recipient_username=ADMIN, body="hello frame")
            db.commit()
    finally:
        engine.dispose()
    page.close()
    yield Site(prod_app, context, other, post_path or "/explore")
    context.close()


def _context(browser: Browser, site: Site, *, signed_in: bool, **options: object) -> BrowserContext:
    context = browser.new_context(base_url=site.app.frontend, **options)  # type: ignore[arg-type]
    context.set_default_timeout(30_000)
    if signed_in:
        context.add_cookies(site.context.cookies())
    return context


def _choose(page: Page, lang: str) -> None:
    """Pick the language in the navbar, as a reader does, and wait for the page to show it."""
    page.locator("#language-switcher").select_option(lang)
    expect(page.locator(".nav-menu .nav-link").first).to_have_text(HOME[lang])


def _live(page: Page) -> None:
    """Wait until the page has hydrated and knows its session (the navbar's first paint gone)."""
    expect(page.locator(".nav-first-paint")).to_have_count(0)


@pytest.mark.parametrize("lang", ["es", "zh"])
def test_full_loads_in_spanish_and_chinese_hydrate_without_a_mismatch(
    browser: Browser, site: Site, lang: str
) -> None:
    """React error #418: the first render in the browser used the stored language while the
    prerendered HTML is English; React threw the HTML away. Now it hydrates the HTML as it is,
    then shows the reader's language, and `<html lang>` says which."""
    for signed_in in (False, True):
        context = _context(browser, site, signed_in=signed_in)
        errors: list[str] = []
        page = _watch(context.new_page(), errors)
        page.goto("/explore")
        _live(page)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        _choose(page, lang)
        expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
        pages = ["/explore", "/login", "/explore", "/login"]
        if signed_in:
            pages = ["/", "/notifications", "/", "/notifications"]
        for path in pages:  # each one twice, full loads
            page.goto(path)
            _live(page)
            expect(page.locator(".nav-menu .nav-link").first).to_have_text(HOME[lang])
            expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
        _choose(page, "en")  # and back, live
        expect(page.locator("html")).to_have_attribute("lang", "en")
        context.close()
        assert errors == [], f"errors in the page (a hydration mismatch?): {errors}"


def _check_frame(page: Page) -> None:
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("nav.navbar")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # shown while focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_every_page_has_its_landmarks_one_h1_and_a_skip_link(browser: Browser, site: Site) -> None:
    for signed_in in (True, False):
        context = _context(browser, site, signed_in=signed_in)
        page = context.new_page()
        for path in site.signed_in_pages() if signed_in else site.signed_out_pages():
            page.goto(path)
            _live(page)
            _check_frame(page)
        context.close()


def test_no_page_is_wider_than_a_phone_or_a_tablet(browser: Browser, site: Site) -> None:
    """Each page is loaded at the narrowest width, then turned to the wider ones (the layout is
    CSS media queries, which a resize re-applies, as a phone turned on its side does)."""
    narrowest, *wider = PHONE_WIDTHS
    for signed_in in (True, False):
        paths = site.signed_in_pages() if signed_in else site.signed_out_pages()
        for lang in LANGS:
            context = _context(browser, site, signed_in=signed_in)
            page = context.new_page()
            page.goto("/explore")
            _choose(page, lang)
            for path in paths:
                page.set_viewport_size(_viewport(narrowest))
                page.goto(path)
                _live(page)
                expect(page.locator(".nav-menu .nav-link").first).to_have_text(HOME[lang])
                assert_no_overflow(page, f"{path} at {narrowest}px in {lang}")
                for width in wider:
                    page.set_viewport_size(_viewport(width))
                    assert_no_overflow(page, f"{path} at {width}px in {lang}")
            # The open menu fits too.
            for width in PHONE_WIDTHS:
                page.set_viewport_size(_viewport(width))
                page.locator(".nav-menu-button").click()
                expect(page.locator(".nav-menu")).to_be_visible()
                assert_no_overflow(page, f"the open menu at {width}px in {lang}")
                page.keyboard.press("Escape")
                expect(page.locator(".nav-menu")).to_be_hidden()
            context.close()


def test_the_phone_menu_works_by_keyboard(browser: Browser, site: Site) -> None:
    context = _context(browser, site, signed_in=True, viewport=_viewport(390))
    page = context.new_page()
    page.goto("/")
    _live(page)
    _choose(page, "en")  # the admin's language is the one an earlier test left in the profile
    button = page.get_by_role("button", name="Menu")
    menu = page.locator("#nav-menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    home = menu.get_by_role("link", name="Home")
    explore = menu.get_by_role("link", name="Explore")

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(home).to_be_focused()  # the focus moves into the menu
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()  # and comes back to the button

    page.keyboard.press("Enter")
    expect(home).to_be_focused()
    page.keyboard.press("Tab")
    expect(explore).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site.app.frontend}/explore")
    expect(page.get_by_role("heading", name="Explore")).to_be_visible()
    expect(page.locator("#nav-menu")).to_be_hidden()

    # Search is in the menu.
    page.get_by_role("button", name="Menu").click()
    search = page.locator("#nav-menu").get_by_label("Search")
    search.fill("frame")
    search.press("Enter")
    expect(page).to_have_url(f"{site.app.frontend}/search?q=frame")
    expect(page.locator("#nav-menu")).to_be_hidden()
    # The reader's own links: Messages is reached through the menu too.
    page.get_by_role("button", name="Menu").click()
    page.locator("#nav-menu").get_by_role("link", name="Messages").click()
    expect(page).to_have_url(f"{site.app.frontend}/messages")
    context.close()


def test_the_desktop_navbar_is_one_row(browser: Browser, site: Site) -> None:
    """The admin's navbar (with Announce and unread badges) is the widest one."""
    for width in DESKTOP_WIDTHS:
        context = _context(browser, site, signed_in=True, viewport=_viewport(width))
        page = context.new_page()
        for lang in LANGS:
            page.goto("/")
            _live(page)
            _choose(page, lang)
            expect(page.locator(".nav-menu-button")).to_be_hidden()
            tops = page.evaluate(
                "() => [...document.querySelectorAll('.nav-bar .nav-link, .nav-bar select,"
                " .nav-bar input, .nav-brand')].map(e => e.getBoundingClientRect())"
                ".filter(r => r.width > 0).map(r => r.top + r.height / 2)"
            )
            assert len(tops) >= 8
            assert max(tops) - min(tops) < 8, f"{lang} at {width}px: the navbar has two rows"
            bar = page.locator(".nav-bar").bounding_box()
            assert bar is not None and bar["height"] < 70
            assert_no_overflow(page, f"{lang} at {width}px")
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_navbar_passes_axe_and_is_photographed(
    browser: Browser, site: Site, scheme: str
) -> None:
    """One load per reader and language, at the narrowest width, then turned to each wider one."""
    folder = screenshot_dir("page-frame")
    for signed_in, path in ((True, "/"), (False, "/login")):
        who = "in" if signed_in else "out"
        for lang in LANGS:
            context = _context(
                browser,
                site,
                signed_in=signed_in,
                viewport=_viewport(PHONE_WIDTHS[0]),
                color_scheme=scheme,
            )
            page = context.new_page()
            page.goto(path)
            _live(page)
            _choose(page, lang)
            for width in (*PHONE_WIDTHS, *DESKTOP_WIDTHS):
                page.set_viewport_size(_viewport(width))
                assert_no_axe_violations(page, ".navbar")
                page.screenshot(path=folder / f"{who}-{lang}-{scheme}-{width}.png")
                if width in PHONE_WIDTHS:
                    page.locator(".nav-menu-button").click()
                    expect(page.locator("#nav-menu")).to_be_visible()
                    assert_no_axe_violations(page, ".navbar")
                    page.screenshot(path=folder / f"{who}-{lang}-{scheme}-{width}-menu.png")
                    page.keyboard.press("Escape")
                    expect(page.locator("#nav-menu")).to_be_hidden()
            context.close()
